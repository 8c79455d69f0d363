/**
 * berth-runc's container life cycle as root, with real namespaces and cgroups:
 * create/start/state/kill/delete, run (foreground and -d), list, and the failure
 * paths runc callers depend on.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, tempRoot, uniqueId } from '../helpers/bundle.js';
import { Runtime, waitFor } from '../helpers/runtime.js';

let tmp: string;
let rt: Runtime;

beforeAll(() => {
  tmp = tempRoot('lifecycle');
  rt = Runtime.berth(tmp);
});
afterAll(() => {
  rt.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('create / start / state / kill / delete', () => {
  it('walks a container through created, running, stopped and gone', async () => {
    const b = makeBundle(tmp, ['sleep', '100']);
    const id = uniqueId('life');
    const pidFile = path.join(tmp, `${id}.pid`);
    rt.ok(['create', '--bundle', b.dir, '--pid-file', pidFile, id]);
    const created = rt.state(id);
    expect(created.status).toBe('created');
    expect(created.pid).toBeGreaterThan(0);
    expect(fs.readFileSync(pidFile, 'utf8')).toBe(String(created.pid));
    expect(Object.keys(created)).toEqual(['ociVersion', 'id', 'pid', 'status', 'bundle', 'rootfs', 'created', 'owner']);
    expect(created.bundle).toBe(b.dir);
    // init waits on the exec fifo in the state dir until start
    expect(fs.existsSync(path.join(rt.root, id, 'exec.fifo'))).toBe(true);

    rt.ok(['start', id]);
    expect(rt.state(id).status).toBe('running');
    expect(fs.existsSync(path.join(rt.root, id, 'exec.fifo'))).toBe(false);
    // the process is the container's sleep, in a new pid namespace
    expect(fs.readFileSync(`/proc/${created.pid}/cmdline`, 'utf8')).toBe('sleep\x00100\x00');
    expect(fs.readlinkSync(`/proc/${created.pid}/ns/pid`)).not.toBe(fs.readlinkSync('/proc/self/ns/pid'));

    const startAgain = rt.run(['start', id]);
    expect(startAgain.status).toBe(1);
    expect(startAgain.stderr).toContain('cannot start an already running container');

    const del = rt.run(['delete', id]);
    expect(del.status).toBe(1);
    expect(del.stderr).toContain(`cannot delete container ${id} that is not stopped: running`);

    rt.ok(['kill', id, 'KILL']);
    await waitFor(() => rt.state(id).status === 'stopped', 5000, 'container to stop');
    const killStopped = rt.run(['kill', id, '9']);
    expect(killStopped.status).toBe(1);
    expect(killStopped.stderr).toContain('container not running');

    rt.ok(['delete', id]);
    const gone = rt.run(['state', id]);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain('container does not exist');
    expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
  });

  it('reports the exit code of a foreground run and removes the container', () => {
    const b = makeBundle(tmp, ['sh', '-c', 'echo out-$((6*7)); echo err >&2; exit 7']);
    const id = uniqueId('fg');
    const r = rt.run(['run', '--bundle', b.dir, id]);
    expect(r.stdout).toBe('out-42\n');
    expect(r.stderr).toBe('err\n');
    expect(r.status).toBe(7);
    expect(rt.run(['state', id]).status).toBe(1);
  });

  it('reports 128+n when the foreground process dies of a signal', async () => {
    const b = makeBundle(tmp, ['sleep', '30']);
    const id = uniqueId('sig');
    const child = spawn(rt.binary, ['--root', rt.root, 'run', '--bundle', b.dir, id], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => rt.run(['state', id]).stdout.includes('"running"'), 10_000, 'container to run');
    rt.ok(['kill', id, 'KILL']);
    expect(await exited).toBe(128 + 9);
    expect(rt.run(['state', id]).status).toBe(1);
  });

  it('runs detached with -d and lists the container', () => {
    const b = makeBundle(tmp, ['sleep', '100']);
    const id = uniqueId('det');
    rt.ok(['run', '-d', '--bundle', b.dir, id]);
    expect(rt.state(id).status).toBe('running');
    const table = rt.ok(['list']);
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER$/);
    const row = lines.find((l) => l.startsWith(`${id} `));
    expect(row).toMatch(new RegExp(`^${id}\\s+\\d+\\s+running\\s+${b.dir}\\s+\\S+Z\\s+root$`));
    const json = JSON.parse(rt.ok(['list', '--format', 'json'])) as { id: string; status: string; owner: string }[];
    expect(json.find((c) => c.id === id)).toMatchObject({ status: 'running', owner: 'root' });
    expect(rt.ok(['list', '-q']).split('\n')).toContain(id);
    rt.ok(['delete', '--force', id]);
    expect(rt.ok(['list', '-q']).split('\n')).not.toContain(id);
  });

  it('deletes a created container without --force, killing its init', async () => {
    const b = makeBundle(tmp, ['sleep', '100']);
    const id = uniqueId('delc');
    rt.ok(['create', '--bundle', b.dir, id]);
    const pid = rt.state(id).pid;
    rt.ok(['delete', id]);
    await waitFor(() => !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'), 5000, 'init to die');
  });
});

describe('failure paths', () => {
  it('refuses a duplicate id and keeps the first container', () => {
    const b = makeBundle(tmp, ['sleep', '100']);
    const id = uniqueId('dup');
    rt.ok(['create', '--bundle', b.dir, id]);
    const r = rt.run(['create', '--bundle', b.dir, id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('container with given ID already exists');
    expect(rt.state(id).status).toBe('created');
    rt.ok(['delete', '-f', id]);
  });

  it('names unknown ids and bad signals', () => {
    for (const cmd of [['state'], ['start'], ['kill'], ['delete'], ['pause'], ['resume'], ['ps'], ['exec']]) {
      const r = rt.run([...cmd, 'no-such-container', ...(cmd[0] === 'exec' ? ['true'] : [])]);
      expect(r.status, cmd.join(' ')).not.toBe(0);
      expect(r.stderr, cmd.join(' ')).toContain('container does not exist');
    }
    const b = makeBundle(tmp, ['sleep', '100']);
    const id = uniqueId('badsig');
    rt.ok(['run', '-d', '--bundle', b.dir, id]);
    const r = rt.run(['kill', id, 'FOO']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown signal \\"FOO\\"');
    expect(rt.state(id).status).toBe('running');
    rt.ok(['delete', '-f', id]);
  });

  it('delete -f of an unknown container succeeds, so callers can always clean up', () => {
    expect(rt.run(['delete', '-f', 'never-created']).status).toBe(0);
  });

  it('rejects an invalid id format', () => {
    const b = makeBundle(tmp, ['true']);
    const r = rt.run(['create', '--bundle', b.dir, '../escape']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invalid id format');
  });

  it('fails with the field named and leaves no state, cgroup or process behind', () => {
    const cases: [string, (s: import('../../packages/runc/src/spec/types.js').Spec) => void, string][] = [
      ['missing args', (s) => { if (s.process) s.process.args = []; }, 'process.args'],
      ['relative cwd', (s) => { if (s.process) s.process.cwd = 'tmp'; }, 'process.cwd'],
      ['missing rootfs', (s) => { s.root = { path: 'nope' }; }, 'root.path'],
      ['bad rlimit', (s) => { if (s.process) s.process.rlimits = [{ type: 'RLIMIT_FOO', soft: 1, hard: 1 }]; }, 'process.rlimits[0].type'],
      ['bad namespace', (s) => { s.linux?.namespaces?.push({ type: 'bogus' as 'pid' }); }, 'linux.namespaces[5].type'],
      ['hostname without uts', (s) => { s.hostname = 'x'; if (s.linux) s.linux.namespaces = s.linux.namespaces?.filter((n) => n.type !== 'uts'); }, 'hostname'],
      ['missing bind source', (s) => { s.mounts?.push({ destination: '/data', type: 'bind', source: '/nonexistent-berth', options: ['rbind'] }); }, 'mounts[7].source'],
      ['bad propagation', (s) => { if (s.linux) s.linux.rootfsPropagation = 'sideways'; }, 'linux.rootfsPropagation'],
      ['mount that fails in the kernel', (s) => { s.mounts?.push({ destination: '/bad', type: 'nosuchfs', source: 'x' }); }, 'mounts[7]'],
      ['missing executable', (s) => { if (s.process) s.process.args = ['/no/such/binary']; }, 'no such file or directory'],
      ['cwd that does not exist', (s) => { if (s.process) s.process.cwd = '/does/not/exist'; }, 'process.cwd'],
    ];
    for (const [name, mutate, field] of cases) {
      const b = makeBundle(tmp, ['true'], mutate);
      const id = uniqueId('bad');
      const r = rt.run(['create', '--bundle', b.dir, id]);
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toContain(field);
      expect(fs.existsSync(path.join(rt.root, id)), `${name}: state dir`).toBe(false);
      const cg = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.includes(':memory:'))?.split(':')[2] ?? '/';
      expect(fs.existsSync(path.join('/sys/fs/cgroup/memory', cg, id)), `${name}: cgroup`).toBe(false);
      // no mount of the failed container is left in our namespace
      expect(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(b.rootfs), `${name}: mounts`).toBe(false);
    }
  });

  it('refuses a missing config.json', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'empty-'));
    const r = rt.run(['create', '--bundle', dir, uniqueId('nocfg')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('config.json');
  });
});

describe('cleaning up after a crash', () => {
  it('list -q shows and delete -f removes a container whose state is unreadable', () => {
    const id = uniqueId('corrupt');
    fs.mkdirSync(path.join(rt.root, id), { recursive: true });
    fs.writeFileSync(path.join(rt.root, id, 'state.json'), '{"truncated');
    expect(rt.ok(['list', '-q']).split('\n')).toContain(id);
    const state = rt.run(['state', id]);
    expect(state.status).toBe(1);
    expect(state.stderr).toContain('corrupt');
    expect(rt.run(['delete', id]).status).toBe(1);
    rt.ok(['delete', '-f', id]);
    expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
  });
});
