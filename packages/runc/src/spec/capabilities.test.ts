import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import {
  CAPABILITY_NAMES,
  CAP_LAST_KNOWN,
  capabilityBit,
  capabilityMask,
  capabilityNames,
  lastCap,
  unknownCapabilitiesWarning,
} from './capabilities.js';
import { canRunContainers, hasRunc, logMessages, makeBundle, run, runContainer, scriptConfig } from './real-runc.test.js';

describe('capability table', () => {
  it('numbers capabilities as linux/capability.h does', () => {
    expect(capabilityBit('CAP_CHOWN')).toBe(0);
    expect(capabilityBit('CAP_KILL')).toBe(5);
    expect(capabilityBit('CAP_NET_BIND_SERVICE')).toBe(10);
    expect(capabilityBit('CAP_SYS_ADMIN')).toBe(21);
    expect(capabilityBit('CAP_AUDIT_WRITE')).toBe(29);
    expect(capabilityBit('CAP_CHECKPOINT_RESTORE')).toBe(40);
    expect(CAP_LAST_KNOWN).toBe(40);
    expect(capabilityBit('cap_kill')).toBeUndefined();
  });

  it.runIf(hasRunc)('lists the same names in the same order as `runc features`', () => {
    const real = JSON.parse(run(['features']).stdout) as { linux: { capabilities: string[] } };
    expect(CAPABILITY_NAMES).toEqual(real.linux.capabilities);
  });

  it('reads the kernel last capability', () => {
    expect(lastCap()).toBe(Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim()));
  });
});

describe('capabilityMask', () => {
  it('sets one bit per known name', () => {
    const r = capabilityMask(['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_KILL'], 'f', 40);
    expect(r).toEqual({ mask: 0x20000420n, unknown: [] });
    expect(capabilityNames(r.mask)).toEqual(['CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_AUDIT_WRITE']);
    expect(capabilityMask(CAPABILITY_NAMES, 'f', 40).mask).toBe((1n << 41n) - 1n);
  });

  it('drops unknown names and names above the kernel last cap, like runc', () => {
    const r = capabilityMask(['CAP_FOO', 'CAP_KILL', 'CAP_BPF', 'CAP_FOO', 'cap_kill'], 'f', 38);
    expect(r).toEqual({ mask: 1n << 5n, unknown: ['CAP_FOO', 'CAP_BPF', 'cap_kill'] });
  });

  it('refuses non-strings, naming the entry', () => {
    try {
      capabilityMask(['CAP_KILL', 7 as unknown as string], 'process.capabilities.bounding', 40);
      throw new Error('expected an error');
    } catch (e) {
      expect(isBerthError(e, 'InvalidArgument')).toBe(true);
      expect((e as Error).message).toMatch(/^process\.capabilities\.bounding\[1\]: /);
    }
  });

  it('formats the warning like runc (sorted, de-duplicated)', () => {
    expect(unknownCapabilitiesWarning(['CAP_FOO', 'CAP_BAR', 'CAP_FOO'])).toBe(
      'ignoring unknown or unavailable capabilities: [CAP_BAR CAP_FOO]',
    );
  });
});

describe.runIf(canRunContainers)('against a container started by runc', () => {
  it('gives the process exactly our masks and logs the same warning', () => {
    const sets = {
      bounding: ['CAP_KILL', 'CAP_SYS_ADMIN', 'CAP_NET_RAW', 'CAP_SETPCAP', 'CAP_FOO', 'CAP_BPF'],
      effective: ['CAP_KILL', 'CAP_NET_RAW', 'CAP_BAR'],
      permitted: ['CAP_KILL', 'CAP_NET_RAW', 'CAP_SYS_ADMIN'],
      inheritable: ['CAP_NET_RAW', 'CAP_SYS_ADMIN'],
      ambient: ['CAP_NET_RAW', 'CAP_FOO'],
    };
    const config = scriptConfig('grep ^Cap /proc/self/status');
    config.process.capabilities = sets;
    config.process.noNewPrivileges = false;
    const b = makeBundle(config);
    try {
      const r = runContainer(b);
      expect(r.code).toBe(0);
      const status = Object.fromEntries(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(':\t'))
          .map(([k, v]) => [k, BigInt(`0x${v}`)]),
      );
      const mask = (names: string[]) => capabilityMask(names, 'f').mask;
      // The sets runc applied are seen through the execve of sh: as root (and
      // without no_new_privs) the kernel refills permitted and effective from
      // the bounding set, plus ambient; the other three sets pass unchanged.
      const bnd = mask(sets.bounding);
      const amb = mask(sets.ambient);
      expect(status).toEqual({
        CapBnd: bnd,
        CapEff: bnd | amb,
        CapPrm: bnd | amb,
        CapInh: mask(sets.inheritable),
        CapAmb: amb,
      });
      const unknown = Object.values(sets).flatMap((s) => capabilityMask(s, 'f').unknown);
      expect(logMessages(r.stderr)).toEqual([{ level: 'warning', msg: unknownCapabilitiesWarning(unknown), time: expect.any(String) }]);
    } finally {
      b.cleanup();
    }
  });
});
