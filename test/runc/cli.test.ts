/**
 * berth-runc's command line beyond the life cycle: exec and its flags, console
 * sockets, pause/resume, ps, events, update, preserved fds, --no-pivot, logging,
 * and the static outputs (--version, help, features, spec).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, tempRoot, uniqueId } from '../helpers/bundle.js';
import { Runtime, waitFor } from '../helpers/runtime.js';
import { nativeCore } from '../../packages/runc/src/native/core.js';

let tmp: string;
let rt: Runtime;
let real: Runtime;

beforeAll(() => {
  tmp = tempRoot('cli');
  rt = Runtime.berth(tmp);
  real = Runtime.real(tmp);
});
afterAll(() => {
  rt.cleanup();
  real.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function sleeper(tag: string, mutate?: Parameters<typeof makeBundle>[2]): string {
  const b = makeBundle(tmp, ['sleep', '300'], mutate);
  const id = uniqueId(tag);
  rt.ok(['run', '-d', '--bundle', b.dir, id]);
  return id;
}

describe('exec', () => {
  it('runs inline args with -e, --cwd, -u and returns the exit code', () => {
    const id = sleeper('exec');
    expect(rt.ok(['exec', id, 'sh', '-c', 'echo hi']).trim()).toBe('hi');
    const r = rt.run(['exec', '-e', 'FOO=bar', '--cwd', '/tmp', '-u', '65534:65534', id, 'sh', '-c', 'echo $FOO $(pwd) $(id -u):$(id -g); exit 3']);
    expect(r.stdout.trim()).toBe('bar /tmp 65534:65534');
    expect(r.status).toBe(3);
    // the process joins the container's pid namespace: it sees init as pid 1
    expect(rt.ok(['exec', id, 'cat', '/proc/1/cmdline'])).toBe('sleep\x00300\x00');
    rt.ok(['delete', '-f', id]);
  });

  it('fails with runc\'s message and exit 255 for a missing or non-executable binary', () => {
    const id = sleeper('execbad');
    const missing = rt.run(['exec', id, 'nosuch']);
    expect(missing.status).toBe(255);
    expect(missing.stderr).toContain('exec failed: unable to start container process: exec: \\"nosuch\\": executable file not found in $PATH');
    const notExec = rt.run(['exec', id, '/etc/passwd']);
    expect(notExec.status).toBe(255);
    expect(notExec.stderr).toContain('permission denied');
    rt.ok(['delete', '-f', id]);
  });

  it('takes a whole process spec with --process, detaches with -d and writes --pid-file', async () => {
    const id = sleeper('execp');
    const proc = { terminal: false, user: { uid: 0, gid: 0 }, args: ['sh', '-c', 'echo from-process-json > /dev/shm/marker; sleep 30'], env: ['PATH=/bin'], cwd: '/' };
    const procFile = path.join(tmp, `${id}-process.json`);
    fs.writeFileSync(procFile, JSON.stringify(proc));
    const pidFile = path.join(tmp, `${id}-exec.pid`);
    rt.ok(['exec', '--process', procFile, '--detach', '--pid-file', pidFile, id]);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    await waitFor(() => rt.run(['exec', id, 'cat', '/dev/shm/marker']).stdout === 'from-process-json\n', 5000, 'marker');
    const pids = JSON.parse(rt.ok(['ps', '--format', 'json', id])) as number[];
    expect(pids).toContain(pid);
    rt.ok(['delete', '-f', id]);
  });

  it('refuses exec in a stopped container', async () => {
    const id = sleeper('execstop');
    rt.ok(['kill', id, 'KILL']);
    await waitFor(() => rt.state(id).status === 'stopped', 5000, 'stop');
    const r = rt.run(['exec', id, 'true']);
    expect(r.status).toBe(255);
    expect(r.stderr).toContain('cannot exec in a stopped container');
  });
});

describe('console socket', () => {
  it('sends the pty master of a terminal container over --console-socket', async () => {
    const core = nativeCore();
    const sock = path.join(tmp, `console-${process.pid}.sock`);
    const listenFd = core.listenUnix(sock);
    const b = makeBundle(tmp, ['sh', '-c', 'tty; stty size; sleep 300'], (s) => {
      if (s.process) s.process.terminal = true;
    });
    const id = uniqueId('tty');
    const create = rt.run(['create', '--bundle', b.dir, '--console-socket', sock, id]);
    expect(create.status, create.stderr).toBe(0);
    const conn = core.accept(listenFd, 5000);
    const { fd: master } = core.recvFd(conn);
    fs.closeSync(conn);
    fs.closeSync(listenFd);
    core.setWinsize(master, 33, 101);
    rt.ok(['start', id]);
    let output = '';
    await waitFor(() => {
      const buf = Buffer.alloc(4096);
      try {
        const n = fs.readSync(master, buf, 0, buf.length, null);
        output += buf.subarray(0, n).toString();
      } catch {
        // EAGAIN
      }
      return output.includes('33 101');
    }, 5000, 'tty output');
    expect(output).toMatch(/\/dev\/pts\/\d+/);
    fs.closeSync(master);
    rt.ok(['delete', '-f', id]);
  });

  it('refuses a detached terminal without a console socket', () => {
    const b = makeBundle(tmp, ['sh'], (s) => {
      if (s.process) s.process.terminal = true;
    });
    const r = rt.run(['create', '--bundle', b.dir, uniqueId('notty')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot allocate tty if runc will detach without setting console socket');
  });
});

describe('terminals in the foreground', () => {
  // `script` (util-linux) gives the runtime a real terminal, as a user's shell would.
  // When its input ends it types its terminal's EOF character, a NUL here (its
  // stdin is no terminal); the runtime passes it on and the container's pty may
  // echo it as "^@" if the process is still running: not part of the output.
  const inTerminal = (cmd: string, input: string) =>
    spawnSync('script', ['-qec', `stty cols 99 rows 22; ${cmd}; echo rc=$?`, '/dev/null'], {
      input,
      encoding: 'utf8',
      timeout: 30_000,
    })
      .stdout.replaceAll('\r', '')
      .replaceAll('^@', '');

  it('run with terminal true uses the caller\'s terminal', () => {
    const b = makeBundle(tmp, ['sh', '-c', 'tty; stty size; read x; echo got:$x; exit 4'], (s) => {
      if (s.process) s.process.terminal = true;
    });
    const output = inTerminal(`${rt.binary} --root ${rt.root} run --bundle ${b.dir} ${uniqueId('runtty')}`, 'hello\n');
    // the input is there before `read`: the container's pty may echo it early
    expect(output).toMatch(/\/dev\/pts\/\d+\n(hello\n)?22 99\n/);
    expect(output).toContain('got:hello');
    expect(output).toContain('rc=4');
  });

  it('exec -t gives the process its own pty in the container', () => {
    const id = sleeper('exectty');
    const output = inTerminal(`${rt.binary} --root ${rt.root} exec -t ${id} sh -c 'tty; stty size'`, '');
    expect(output).toMatch(/\/dev\/pts\/\d+\n22 99\n/);
    expect(output).toContain('rc=0');
    rt.ok(['delete', '-f', id]);
  });
});

describe('kill --all', () => {
  it('signals every process in the container', async () => {
    const b = makeBundle(tmp, ['sh', '-c', 'sleep 300 & sleep 300 & wait']);
    const id = uniqueId('killall');
    rt.ok(['run', '-d', '--bundle', b.dir, id]);
    await waitFor(() => (JSON.parse(rt.ok(['ps', '-f', 'json', id])) as number[]).length === 3, 5000, 'three processes');
    const pids = JSON.parse(rt.ok(['ps', '-f', 'json', id])) as number[];
    rt.ok(['kill', '--all', id, 'KILL']);
    await waitFor(() => pids.every((p) => !fs.existsSync(`/proc/${p}`) || fs.readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z')), 5000, 'all dead');
    await waitFor(() => rt.state(id).status === 'stopped', 5000, 'stopped');
    rt.ok(['delete', id]);
  });
});

describe('pause, resume, ps, events, update', () => {
  it('pauses and resumes', () => {
    const id = sleeper('pause');
    rt.ok(['pause', id]);
    expect(rt.state(id).status).toBe('paused');
    expect(rt.run(['pause', id]).stderr).toContain('container not running');
    rt.ok(['resume', id]);
    expect(rt.state(id).status).toBe('running');
    expect(rt.run(['resume', id]).stderr).toContain('container not paused');
    rt.ok(['delete', '-f', id]);
  });

  it('lists processes as a ps table and as json', () => {
    const id = sleeper('ps');
    const pid = rt.state(id).pid;
    const table = rt.ok(['ps', id]);
    expect(table.split('\n')[0]).toMatch(/UID\s+PID\s+PPID/);
    expect(table).toContain('sleep 300');
    expect(JSON.parse(rt.ok(['ps', '-f', 'json', id]))).toEqual([pid]);
    const custom = rt.ok(['ps', id, '-o', 'pid,comm']);
    expect(custom.split('\n')[1]?.trim()).toBe(`${pid} sleep`);
    rt.ok(['delete', '-f', id]);
  });

  it('prints stats with runc\'s keys, and applies update to the cgroup', () => {
    const id = sleeper('stats');
    const ev = JSON.parse(rt.ok(['events', '--stats', id])) as { type: string; id: string; data: Record<string, unknown> };
    expect(ev.type).toBe('stats');
    expect(ev.id).toBe(id);
    expect(Object.keys(ev.data)).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids', 'blkio']));
    rt.ok(['update', '--memory', '64m', '--pids-limit', '50', id]);
    const cg = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.includes(':memory:'))?.split(':')[2] ?? '/';
    expect(fs.readFileSync(path.join('/sys/fs/cgroup/memory', cg, id, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(64 * 1024 * 1024));
    const pcg = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.includes(':pids:'))?.split(':')[2] ?? '/';
    expect(fs.readFileSync(path.join('/sys/fs/cgroup/pids', pcg, id, 'pids.max'), 'utf8').trim()).toBe('50');
    // containerd sends the resources as JSON on stdin
    rt.ok(['update', '--resources', '-', id], { input: JSON.stringify({ pids: { limit: 70 } }) });
    expect(fs.readFileSync(path.join('/sys/fs/cgroup/pids', pcg, id, 'pids.max'), 'utf8').trim()).toBe('70');
    rt.ok(['delete', '-f', id]);
  });
});

describe('preserve-fds and no-pivot', () => {
  it('passes extra fds with --preserve-fds', () => {
    const b = makeBundle(tmp, ['sh', '-c', 'cat <&3']);
    const file = path.join(tmp, 'fd3.txt');
    fs.writeFileSync(file, 'through fd 3\n');
    const fd = fs.openSync(file, 'r');
    try {
      const r = rt.run(['run', '--preserve-fds', '1', '--bundle', b.dir, uniqueId('fds')], { extraFds: [fd] });
      expect(r.stdout).toBe('through fd 3\n');
    } finally {
      fs.closeSync(fd);
    }
  });

  it('runs with --no-pivot', () => {
    const b = makeBundle(tmp, ['sh', '-c', 'ls /bin/busybox']);
    const r = rt.run(['run', '--no-pivot', '--bundle', b.dir, uniqueId('nopivot')]);
    expect(r.stdout.trim()).toBe('/bin/busybox');
    expect(r.status).toBe(0);
  });
});

describe('static outputs and logging', () => {
  it('prints runc-shaped --version lines', () => {
    const lines = rt.ok(['--version']).split('\n');
    expect(lines[0]).toMatch(/^runc version 1\.1\.\d+\+berth$/);
    expect(lines[1]).toMatch(/^commit: /);
    expect(lines[2]).toBe('spec: 1.0.2-dev');
  });

  it('answers help for an unknown topic like runc', () => {
    const ours = rt.run(['help', 'foo']);
    const theirs = real.run(['help', 'foo']);
    expect(ours.status).toBe(theirs.status);
    expect(ours.stderr.replace(/time="[^"]+"/, '')).toBe(theirs.stderr.replace(/time="[^"]+"/, ''));
  });

  it('has the same features keys as runc', () => {
    const ours = JSON.parse(rt.ok(['features'])) as Record<string, unknown>;
    const theirs = JSON.parse(real.ok(['features'])) as Record<string, unknown>;
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
  });

  it('writes byte-identical `spec` output', () => {
    const a = fs.mkdtempSync(path.join(tmp, 'spec-a-'));
    const b = fs.mkdtempSync(path.join(tmp, 'spec-b-'));
    rt.ok(['spec', '--bundle', a]);
    real.ok(['spec', '--bundle', b]);
    expect(fs.readFileSync(path.join(a, 'config.json'), 'utf8')).toBe(fs.readFileSync(path.join(b, 'config.json'), 'utf8'));
    expect(rt.run(['spec', '--bundle', a]).status).toBe(1);
  });

  it('logs errors as JSON to --log, as containerd reads them', () => {
    const log = path.join(tmp, 'log.json');
    const r = rt.run(['--log', log, '--log-format', 'json', 'state', 'nope']);
    expect(r.status).toBe(1);
    const entry = JSON.parse(fs.readFileSync(log, 'utf8').trim().split('\n').pop() as string) as Record<string, string>;
    expect(entry).toMatchObject({ level: 'error', msg: 'container does not exist' });
    expect(Object.keys(entry)).toEqual(['level', 'msg', 'time']);
    expect(r.stderr.trim()).toBe('container does not exist');
  });
});

describe('events stream', () => {
  it('streams stats every interval and reports an OOM kill', async () => {
    const b = makeBundle(tmp, ['sh', '-c', 'sleep 1; tail /dev/zero; sleep 300'], (s) => {
      if (s.linux) s.linux.resources = { ...(s.linux.resources ?? {}), memory: { limit: 16 * 1024 * 1024, swap: 16 * 1024 * 1024 } };
    });
    const id = uniqueId('events');
    rt.ok(['run', '-d', '--bundle', b.dir, id]);
    const child = spawn(rt.binary, ['--root', rt.root, 'events', '--interval', '300ms', id], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    try {
      await waitFor(() => text.includes('"type":"oom"') && text.split('"type":"stats"').length > 3, 15_000, 'stats and an oom event');
    } finally {
      child.kill('SIGKILL');
    }
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; id: string });
    expect(events.every((e) => e.id === id)).toBe(true);
    expect(events.some((e) => e.type === 'oom')).toBe(true);
    rt.ok(['delete', '-f', id]);
  });
});

describe('session keyring', () => {
  const keyring = (name: string) => fs.readFileSync('/proc/keys', 'utf8').split('\n').find((l) => l.endsWith(`${name}: empty`));

  it('joins a session keyring of its own, as runc does, unless --no-new-keyring', () => {
    const own = uniqueId('keys');
    rt.ok(['run', '-d', '--bundle', makeBundle(tmp, ['sleep', '300']).dir, own]);
    expect(keyring(`_ses.${own}`)).toMatch(/ perm 3f1b0000 /);
    const theirs = uniqueId('rkeys');
    real.ok(['run', '-d', '--bundle', makeBundle(tmp, ['sleep', '300']).dir, theirs]);
    expect(keyring(`_ses.${theirs}`)?.split(/\s+/)[4]).toBe(keyring(`_ses.${own}`)?.split(/\s+/)[4]);
    const none = uniqueId('nokeys');
    rt.ok(['run', '-d', '--no-new-keyring', '--bundle', makeBundle(tmp, ['sleep', '300']).dir, none]);
    expect(keyring(`_ses.${none}`)).toBeUndefined();
    for (const id of [own, none]) rt.ok(['delete', '-f', id]);
    real.ok(['delete', '-f', theirs]);
  });
});
