/**
 * The issue's `ctr run` / `ctr tasks` / `ctr containers` / `ctr namespaces` /
 * `ctr events` list under the real ctr 1.6 against berth-containerd (shims
 * running berth-runc in-process, or exec'ing the real runc with
 * --runc-binary), with the real containerd 1.6 (real runc) answering the same
 * commands where its output is the strongest check. Each daemon gets its own
 * namespace names: the cgroup path is /<namespace>/<id> for both.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOciImage } from '../helpers/oci-image.js';
import { busyboxRootfs } from '../helpers/paths.js';
import { ctr, haveProgram, startBerthContainerd, startRealContainerd, tempDir, type CtrResult, type Running } from './daemons.js';

const haveReal = haveProgram('containerd') && haveProgram('runc');
const image = `docker.io/library/busybox:ctr-run-${process.pid}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Side {
  name: 'berth' | 'real';
  d: Running;
  ns: string;
  c: (...args: string[]) => CtrResult;
  /** ctr against this daemon in another namespace. */
  cn: (ns: string, ...args: string[]) => CtrResult;
  /** Namespaces this test created (removed in afterAll). */
  extraNs: string[];
}

let dir: string;
let hostDir: string;
let built: string;
const sides: Side[] = [];
let berth: Side;
let real: Side | undefined;

async function side(name: Side['name']): Promise<Side> {
  const d = name === 'berth' ? await startBerthContainerd(tempDir('ctrrun')) : await startRealContainerd(tempDir('ctrrunreal'));
  const ns = `ctrrun-${name}-${process.pid}`;
  const cn = (n: string, ...args: string[]) => ctr(d.address, ['-n', n, ...args], 60_000);
  const s: Side = { name, d, ns, c: (...args) => cn(ns, ...args), cn, extraNs: [] };
  const r = s.c('images', 'import', built);
  if (r.status !== 0) throw new Error(`${name}: import failed: ${r.stderr}`);
  return s;
}

async function cleanNamespace(s: Side, n: string): Promise<void> {
  for (const id of s.cn(n, 'tasks', 'ls', '-q').stdout.split('\n').filter(Boolean)) s.cn(n, 'tasks', 'kill', '-s', 'KILL', id);
  for (const id of s.cn(n, 'containers', 'ls', '-q').stdout.split('\n').filter(Boolean)) {
    for (let i = 0; i < 40 && s.cn(n, 'tasks', 'delete', '-f', id).stderr.includes('must be stopped'); i++) await sleep(50);
    s.cn(n, 'containers', 'rm', id);
  }
  for (const ref of s.cn(n, 'images', 'ls', '-q').stdout.split('\n').filter(Boolean)) s.cn(n, 'images', 'rm', '--sync', ref);
}

function rmCgroupDir(dirPath: string): void {
  try {
    fs.rmdirSync(dirPath);
  } catch {
    // not made in this hierarchy, or still busy
  }
}

beforeAll(async () => {
  dir = tempDir('ctrrunimg');
  hostDir = path.join(dir, 'host');
  fs.mkdirSync(hostDir);
  fs.writeFileSync(path.join(hostDir, 'greeting'), 'hello from the host\n');
  built = buildOciImage({ rootfs: busyboxRootfs, name: image, out: path.join(dir, 'busybox.tar'), cmd: ['sh'] }).file;
  berth = await side('berth');
  sides.push(berth);
  if (haveReal) {
    real = await side('real');
    sides.push(real);
  }
}, 120_000);

afterAll(async () => {
  for (const s of sides) {
    for (const n of [s.ns, ...s.extraNs]) {
      await cleanNamespace(s, n);
      s.c('namespaces', 'rm', n);
    }
    await s.d.stop();
    // containerd leaves the namespace's cgroup parent behind
    for (const n of [s.ns, ...s.extraNs]) for (const h of fs.readdirSync('/sys/fs/cgroup')) rmCgroupDir(path.join('/sys/fs/cgroup', h, n));
    fs.rmSync(s.d.dir, { recursive: true, force: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** Runs `fn` on every side and returns the results keyed by side name. */
function both<T>(fn: (s: Side) => T): { berth: T; real?: T } {
  return { berth: fn(berth), real: real ? fn(real) : undefined };
}

async function waitStatus(s: Side, id: string, status: string): Promise<void> {
  for (let i = 0; i < 100 && !new RegExp(`^${id}\\s+\\d+\\s+${status}`, 'm').test(s.c('tasks', 'ls').stdout); i++) await sleep(50);
}

/** ctr's "ctr: <message>" line, without the logrus lines before it. */
const ctrError = (r: CtrResult) => r.stderr.split('\n').find((l) => l.startsWith('ctr: ')) ?? r.stderr;

/** `text` with every occurrence of `what` replaced by `by`. */
const anon = (text: string, what: string, by: string) => text.split(what).join(by);

describe('ctr run against berth-containerd (and the real containerd)', () => {
  it('run --rm <image> id echo hi shows the output and removes the container', () => {
    const r = both((s) => s.c('run', '--rm', image, `echo-${process.pid}`, 'echo', 'hi'));
    expect(r.berth).toMatchObject({ status: 0, stdout: 'hi\n' });
    if (r.real) expect(r.berth).toEqual(r.real);
    expect(berth.c('containers', 'ls', '-q').stdout).toBe('');
  });

  it('--env sets the environment and keeps the image PATH', () => {
    const r = both((s) => s.c('run', '--rm', '--env', 'FOO=bar', image, `env-${process.pid}`, 'sh', '-c', 'echo $FOO; echo $PATH'));
    expect(r.berth.stdout).toBe('bar\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
    if (r.real) expect(r.berth).toEqual(r.real);
  });

  it('--mount rbind:ro shows the host file and refuses writes', () => {
    const r = both((s) =>
      s.c('run', '--rm', '--mount', `type=bind,src=${hostDir},dst=/data,options=rbind:ro`, image, `mnt-${process.pid}`,
        'sh', '-c', 'cat /data/greeting; echo x > /data/new 2>/dev/null; echo write=$?; grep " /data " /proc/self/mountinfo | grep -c " ro,"'),
    );
    expect(r.berth).toMatchObject({ status: 0, stdout: 'hello from the host\nwrite=1\n1\n' });
    if (r.real) expect(r.berth.stdout).toBe(r.real.stdout);
    expect(fs.existsSync(path.join(hostDir, 'new'))).toBe(false);
  });

  it('--memory-limit sets memory.limit_in_bytes of the container cgroup (and tasks metrics shows it)', async () => {
    for (const s of sides) {
      const id = `mem-${process.pid}`;
      expect(s.c('run', '-d', '--memory-limit', '67108864', image, id, 'sleep', '300').status).toBe(0);
      // ctr's default spec mounts no cgroupfs in the container (nor does real containerd's): read it on the host
      const file = `/sys/fs/cgroup/memory/${s.ns}/${id}/memory.limit_in_bytes`;
      if (fs.existsSync('/sys/fs/cgroup/memory')) expect(fs.readFileSync(file, 'utf8').trim()).toBe('67108864');
      else expect(fs.readFileSync(`/sys/fs/cgroup/${s.ns}/${id}/memory.max`, 'utf8').trim()).toBe('67108864');
      const m = s.c('tasks', 'metrics', id);
      expect(m.status).toBe(0);
      expect(m.stdout).toMatch(/^memory\.limit_in_bytes\s+67108864\s*$/m);
      expect(s.c('tasks', 'kill', '-s', 'KILL', id).status).toBe(0);
      await waitStatus(s, id, 'STOPPED');
      expect(s.c('tasks', 'delete', id).status).toBe(0);
      expect(s.c('containers', 'rm', id).status).toBe(0);
    }
  });

  it('--net-host shares the host network namespace; without it the container has its own', () => {
    const hostNet = fs.readlinkSync('/proc/self/ns/net');
    const hostIfs = fs.readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean).sort();
    const script = "readlink /proc/self/ns/net; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort";
    for (const s of sides) {
      const host = s.c('run', '--rm', '--net-host', image, `nethost-${process.pid}`, 'sh', '-c', script);
      expect(host.status).toBe(0);
      const [ns, ...ifs] = host.stdout.trim().split('\n');
      expect(ns).toBe(hostNet);
      expect(ifs).toEqual(hostIfs);
      const own = s.c('run', '--rm', image, `netown-${process.pid}`, 'sh', '-c', script);
      const [ownNs, ...ownIfs] = own.stdout.trim().split('\n');
      expect(ownNs).not.toBe(hostNet);
      expect(ownIfs).toEqual(['lo']);
    }
  });

  it('-t gives the process a real terminal (script provides ctr one)', () => {
    const r = both((s) => {
      const cmd = `ctr --address ${s.d.address} -n ${s.ns} run --rm -t ${image} tty-${process.pid} sh -c 'tty; test -t 0 && test -t 1 && echo both-ttys'; echo rc=$?`;
      const out = spawnSync('script', ['-qec', `stty cols 99 rows 22; ${cmd}`, '/dev/null'], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
      return out.stdout.replace(/\/dev\/pts\/\d+/, '/dev/pts/N');
    });
    // the NUL and the doubled \r come from ctr's console handling: the real containerd prints them too
    expect(r.berth).toMatch(/\/dev\/pts\/N\r*\nboth-ttys\r*\nrc=0\r\n$/);
    if (r.real) expect(r.berth).toBe(r.real);
  });

  it('run -d, then tasks ls/ps/exec --exec-id/pause/resume/metrics/kill/delete', async () => {
    for (const s of sides) {
      const id = `det-${process.pid}`;
      expect(s.c('run', '-d', image, id, 'sleep', '300').status).toBe(0);
      expect(s.c('tasks', 'ls').stdout).toMatch(/^TASK\s+PID\s+STATUS\s*$/m);
      expect(s.c('tasks', 'ls').stdout).toMatch(new RegExp(`^${id}\\s+\\d+\\s+RUNNING`, 'm'));
      const pid = /\s(\d+)\s+RUNNING/.exec(s.c('tasks', 'ls').stdout)![1]!;
      // the pid is the host pid of the container's init, running sleep
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\u0000300\u0000');

      const exec = s.c('tasks', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo exec-ok $FOO; exit 5');
      expect(exec).toMatchObject({ status: 5, stdout: 'exec-ok\n' });
      // a running exec shows in ps with its exec id
      const bg = spawn('ctr', ['--address', s.d.address, '-n', s.ns, 'tasks', 'exec', '--exec-id', 'e2', id, 'sleep', '3'], { stdio: 'ignore' });
      const bgDone = new Promise((r) => bg.once('exit', r));
      let ps = '';
      for (let i = 0; i < 60 && !ps.includes('ExecID:e2'); i++, await sleep(50)) ps = s.c('tasks', 'ps', id).stdout;
      expect(ps).toMatch(/^PID\s+INFO\s*$/m);
      expect(ps).toMatch(new RegExp(`^${pid}\\s+-\\s*$`, 'm'));
      expect(ps).toMatch(/^\d+\s+&ProcessDetails\{ExecID:e2,XXX_unrecognized:\[\],\}\s*$/m);
      await bgDone;
      // a second exec with the same id is fine once the first is gone
      expect(s.c('tasks', 'exec', '--exec-id', 'e1', id, 'true').status).toBe(0);

      expect(s.c('tasks', 'pause', id).status).toBe(0);
      expect(s.c('tasks', 'ls').stdout).toMatch(new RegExp(`^${id}\\s+${pid}\\s+PAUSED`, 'm'));
      expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^State:\s+[DS]/m);
      expect(s.c('tasks', 'resume', id).status).toBe(0);
      expect(s.c('tasks', 'ls').stdout).toMatch(new RegExp(`^${id}\\s+${pid}\\s+RUNNING`, 'm'));

      const metrics = s.c('tasks', 'metrics', id);
      expect(metrics.status).toBe(0);
      expect(metrics.stdout).toMatch(new RegExp(`^ID\\s+TIMESTAMP\\s*\\n${id}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)? \\+0000 UTC`, 'm'));
      const names = [...metrics.stdout.matchAll(/^([a-z_.]+)\s+\S/gm)].map((m) => m[1]);
      expect(names).toEqual(['memory.usage_in_bytes', 'memory.limit_in_bytes', 'memory.stat.cache', 'cpuacct.usage', 'cpuacct.usage_percpu', 'pids.current', 'pids.limit']);
      expect(metrics.stdout).toMatch(/^pids\.current\s+1\s*$/m);
      const json = JSON.parse(s.c('tasks', 'metrics', '--format', 'json', id).stdout) as { pids: { current: number }; memory: { usage: { usage: number } } };
      expect(json.pids.current).toBe(1);
      expect(json.memory.usage.usage).toBeGreaterThan(0);

      // deleting a running task fails as containerd's does
      expect(ctrError(s.c('tasks', 'delete', id))).toBe('ctr: task must be stopped before deletion: running: failed precondition');
      expect(s.c('tasks', 'kill', id).status).toBe(0); // SIGTERM: sleep as pid 1 ignores it
      await sleep(300);
      expect(s.c('tasks', 'ls').stdout).toMatch(new RegExp(`^${id}\\s+${pid}\\s+RUNNING`, 'm'));
      expect(s.c('tasks', 'kill', '-s', 'KILL', id).status).toBe(0);
      await waitStatus(s, id, 'STOPPED');
      expect(s.c('tasks', 'ls').stdout).toMatch(new RegExp(`^${id}\\s+${pid}\\s+STOPPED`, 'm'));
      const del = s.c('tasks', 'delete', id);
      expect(del.status).toBe(0);
      expect(del.stderr).toContain(`task ${id} exit with non-zero exit code 137`);
      expect(s.c('tasks', 'ls', '-q').stdout).toBe('');
      expect(s.c('containers', 'rm', id).status).toBe(0);
    }
  });

  it('containers ls/info/rm', () => {
    const r = both((s) => {
      const id = `info-${process.pid}`;
      expect(s.c('containers', 'create', '--env', 'A=1', '--label', 'k=v', image, id, 'sleep', '9').status).toBe(0);
      const ls = s.c('containers', 'ls').stdout;
      const info = JSON.parse(anon(s.c('containers', 'info', id).stdout, s.ns, 'NS')) as Record<string, unknown> & { Spec: { process: { args: string[]; env: string[] }; linux: { namespaces: { type: string }[] } } };
      const missing = s.c('containers', 'info', `nope-${process.pid}`);
      const rm = s.c('containers', 'rm', id);
      const rmAgain = s.c('containers', 'rm', id);
      return { ls, info, missing: anon(ctrError(missing), s.ns, 'NS'), rm: rm.status, rmAgain: anon(ctrError(rmAgain), s.ns, 'NS'), after: s.c('containers', 'ls', '-q').stdout };
    });
    const b = r.berth;
    expect(b.ls).toMatch(new RegExp(`^CONTAINER\\s+IMAGE\\s+RUNTIME\\s*\\ninfo-${process.pid}\\s+${image.replace(/\./g, '\\.')}\\s+io\\.containerd\\.runc\\.v2\\s*$`, 'm'));
    expect(Object.keys(b.info)).toEqual(['ID', 'Labels', 'Image', 'Runtime', 'SnapshotKey', 'Snapshotter', 'CreatedAt', 'UpdatedAt', 'Extensions', 'Spec']);
    expect(b.info).toMatchObject({ ID: `info-${process.pid}`, Image: image, Snapshotter: 'overlayfs', SnapshotKey: `info-${process.pid}`, Labels: { k: 'v' } });
    expect(b.info.Spec.process.args).toEqual(['sleep', '9']);
    expect(b.info.Spec.process.env).toContain('A=1');
    expect(b.missing).toBe(`ctr: container "nope-${process.pid}" in namespace "NS": not found`);
    expect(b.rm).toBe(0);
    expect(b.rmAgain).toBe(`ctr: container "info-${process.pid}" in namespace "NS": not found`);
    expect(b.after).toBe('');
    if (r.real) {
      const strip = (x: typeof b) => ({ ...x, ls: '', info: { ...x.info, CreatedAt: '', UpdatedAt: '' } });
      expect(strip(b)).toEqual(strip(r.real));
    }
  });

  it('namespaces create/ls/rm: a namespace holding an image and a container cannot be removed', async () => {
    const r = both((s) => {
      const n = `ctrrun-ns-${s.name}-${process.pid}`;
      s.extraNs.push(n);
      const out: Record<string, string | number | null> = {};
      out.create = s.c('namespaces', 'create', n, 'team=a').status;
      out.createAgain = anon(ctrError(s.c('namespaces', 'create', n)), n, 'NS');
      out.ls = (s.c('namespaces', 'ls').stdout.split('\n').find((l) => l.startsWith(`${n} `)) ?? '').trim();
      out.lsq = s.c('namespaces', 'ls', '-q').stdout.split('\n').includes(n) ? 'listed' : 'missing';
      s.cn(n, 'images', 'import', built);
      out.ctr = s.cn(n, 'containers', 'create', image, 'c1', 'true').status;
      const c = (what: string) => anon(ctrError(s.c('namespaces', 'rm', n)), n, 'NS') + ` (${what})`;
      out.withContainer = c('container');
      s.cn(n, 'containers', 'rm', 'c1');
      out.withImage = c('image');
      s.cn(n, 'images', 'rm', '--sync', image);
      // blobs go only with garbage collection; a lease-less content delete empties it
      for (const d of s.cn(n, 'content', 'ls', '-q').stdout.split('\n').filter(Boolean)) s.cn(n, 'content', 'rm', d);
      for (const k of s.cn(n, 'snapshots', 'ls').stdout.split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter(Boolean)) s.cn(n, 'snapshots', 'rm', k!);
      const rm = s.c('namespaces', 'rm', n);
      out.rm = rm.status;
      out.rmOut = rm.stdout;
      out.gone = s.c('namespaces', 'ls', '-q').stdout.split('\n').includes(n) ? 'listed' : 'gone';
      out.rmMissing = anon(ctrError(s.c('namespaces', 'rm', n)), n, 'NS');
      return out;
    });
    const n = `ctrrun-ns-berth-${process.pid}`;
    expect(r.berth).toMatchObject({ create: 0, ls: `${n} team=a`, lsq: 'listed', ctr: 0, rm: 0, rmOut: `${n}\n`, gone: 'gone' });
    expect(r.berth.withContainer).toBe(
      'ctr: unable to delete NS: namespace "NS" must be empty, but it still has images, blobs, containers, snapshots on "overlayfs" snapshotter: failed precondition (container)',
    );
    if (r.real) expect({ ...r.berth, ls: '', rmOut: '' }).toEqual({ ...r.real, ls: '', rmOut: '' });
  });

  it('events: a subscriber sees the lifecycle of run --rm in order', async () => {
    const r: Record<string, string[]> = {};
    for (const s of sides) {
      const sub = spawn('ctr', ['--address', s.d.address, 'events'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      sub.stdout.on('data', (b: Buffer) => (text += b.toString()));
      const done = new Promise((res) => sub.once('exit', res));
      await sleep(500); // subscribed
      const id = `ev-${process.pid}`;
      expect(s.c('run', '--rm', image, id, 'sh', '-c', 'exit 2').status).toBe(2);
      for (let i = 0; i < 40 && !text.includes('/containers/delete'); i++) await sleep(50);
      process.kill(sub.pid!, 'SIGTERM');
      await done;
      const lines = text.split('\n').filter((l) => l.includes(` ${s.ns} /`));
      r[s.name] = lines.map((l) => l.split(' ')[5]!);
      const exit = lines.find((l) => l.includes('/tasks/exit'))!;
      expect(JSON.parse(exit.slice(exit.indexOf('{')))).toMatchObject({ container_id: id, id, exit_status: 2 });
    }
    expect(r.berth).toEqual([
      '/snapshot/prepare',
      '/containers/create',
      '/tasks/create',
      '/tasks/start',
      '/tasks/exit',
      '/tasks/delete',
      '/snapshot/remove',
      '/containers/delete',
    ]);
    if (r.real) expect(r.berth).toEqual(r.real);
  });
});

describe.skipIf(!haveProgram('runc'))('--runc-binary: the shim execs the real runc', () => {
  it('runs --rm with output and exit code, and a detached task with exec/pause/resume/kill/delete', async () => {
    const runcRoot = path.join(dir, 'runc-root');
    const runc = spawnSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).stdout.trim();
    const c = berth.c;
    const r = c('run', '--rm', '--runc-binary', runc, '--runc-root', runcRoot, image, `rb-${process.pid}`, 'sh', '-c', 'echo via runc; exit 4');
    expect(r).toMatchObject({ status: 4, stdout: 'via runc\n' });

    const id = `rbd-${process.pid}`;
    expect(c('run', '-d', '--runc-binary', runc, '--runc-root', runcRoot, image, id, 'sleep', '300').status).toBe(0);
    // the real runc made it: its own state command finds it under the chosen root (joined with the namespace, as containerd's shim does)
    const nsRoot = path.join(runcRoot, berth.ns);
    const state = spawnSync(runc, ['--root', nsRoot, 'state', id], { encoding: 'utf8' });
    expect(state.status).toBe(0);
    expect(JSON.parse(state.stdout)).toMatchObject({ id, status: 'running' });
    expect(c('tasks', 'exec', '--exec-id', 'x1', id, 'sh', '-c', 'echo exec-rb')).toMatchObject({ status: 0, stdout: 'exec-rb\n' });
    expect(c('tasks', 'pause', id).status).toBe(0);
    expect(JSON.parse(spawnSync(runc, ['--root', nsRoot, 'state', id], { encoding: 'utf8' }).stdout)).toMatchObject({ status: 'paused' });
    expect(c('tasks', 'ls').stdout).toMatch(new RegExp(`^${id}\\s+\\d+\\s+PAUSED`, 'm'));
    expect(c('tasks', 'resume', id).status).toBe(0);
    expect(c('tasks', 'metrics', id).stdout).toMatch(/^pids\.current\s+1\s*$/m);
    expect(c('tasks', 'kill', '-s', 'KILL', id).status).toBe(0);
    await waitStatus(berth, id, 'STOPPED');
    expect(c('tasks', 'delete', id).status).toBe(0);
    expect(c('containers', 'rm', id).status).toBe(0);
    expect(spawnSync(runc, ['--root', nsRoot, 'state', id]).status).not.toBe(0);
  });

  it('-t with the real runc', () => {
    const runc = spawnSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).stdout.trim();
    const cmd = `ctr --address ${berth.d.address} -n ${berth.ns} run --rm -t --runc-binary ${runc} ${image} rbt-${process.pid} tty; echo rc=$?`;
    const out = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(out.stdout).toMatch(/\/dev\/pts\/\d+\r*\n/);
    expect(out.stdout).toContain('rc=0');
  });
});
