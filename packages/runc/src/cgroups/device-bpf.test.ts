/**
 * The cgroup v2 device filter in a real kernel: this machine's cgroup2 mount
 * (hybrid mode) takes device programs even without controllers, and the kernel
 * checks them on every device open.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeCore } from '../native/core.js';
import { deviceFilterProgram } from './device-bpf.js';
import { rulesFromSpec, RUNC_DEFAULT_ALLOWED_DEVICES } from './devices.js';
import { detectLayout } from './paths.js';

const layout = detectLayout();
const v2 = layout.mounts.find((m) => m.version === 2);
const own = layout.own.get('') ?? '/';
const dir = v2 ? path.join(v2.mountPoint, own, `berth-devtest-${process.pid}`) : '';
const canRun = process.getuid?.() === 0 && v2 !== undefined;

afterAll(() => {
  if (dir && fs.existsSync(dir)) fs.rmdirSync(dir);
});

/** Runs `script` in a shell that first moves itself into the test cgroup. */
function inCgroup(script: string): string {
  const r = spawnSync('/bin/sh', ['-c', `echo $$ > ${dir}/cgroup.procs && ${script}`], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

describe.skipIf(!canRun)('cgroup v2 device filter (eBPF)', () => {
  it('allows only the listed devices, later rules overriding earlier ones', () => {
    fs.mkdirSync(dir);
    const rules = rulesFromSpec([{ allow: false, access: 'rwm' }, ...RUNC_DEFAULT_ALLOWED_DEVICES, { allow: false, type: 'c', major: 1, minor: 5, access: 'w' }]);
    nativeCore().attachDeviceFilter(dir, deviceFilterProgram(rules));
    // /dev/null (1:3) allowed; /dev/zero (1:5) readable but not writable; /dev/kmsg (1:11) denied.
    expect(inCgroup('echo x > /dev/null && echo null-ok')).toContain('null-ok');
    expect(inCgroup('head -c1 /dev/zero | wc -c')).toContain('1');
    expect(inCgroup('echo x > /dev/zero || echo zero-write-denied')).toContain('zero-write-denied');
    expect(inCgroup('head -c1 /dev/kmsg || echo kmsg-denied')).toContain('kmsg-denied');
    // Replacing the program: now everything is allowed again.
    nativeCore().attachDeviceFilter(dir, deviceFilterProgram(rulesFromSpec([{ allow: true, access: 'rwm' }])));
    expect(inCgroup('echo x > /dev/zero && echo zero-write-ok')).toContain('zero-write-ok');
  });

  it('loads while signals keep arriving (the verifier answers EAGAIN to a pending signal)', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const onSignal = (): void => {};
    process.on('SIGUSR2', onSignal);
    // About a signal a millisecond: faster, and libuv's signal pipe overflows while
    // the loop below holds the event loop, dropping the storm's own SIGCHLD.
    const storm = spawn('/bin/sh', ['-c', `while kill -USR2 ${process.pid}; do sleep 0.001; done`], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const prog = deviceFilterProgram(rulesFromSpec([{ allow: false, access: 'rwm' }, ...RUNC_DEFAULT_ALLOWED_DEVICES]));
      let failures = 0;
      for (let i = 0; i < 300; i++) {
        try {
          nativeCore().attachDeviceFilter(dir, prog);
        } catch {
          failures++;
        }
      }
      expect(failures).toBe(0);
    } finally {
      storm.kill('SIGKILL');
      await new Promise((r) => storm.once('exit', r));
      process.off('SIGUSR2', onSignal);
    }
  });

  it('encodes one 8-byte instruction per eBPF insn, ending in exit', () => {
    const prog = deviceFilterProgram(rulesFromSpec([{ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }]));
    expect(prog.length % 8).toBe(0);
    expect(prog.readUInt8(prog.length - 8)).toBe(0x95);
  });
});
