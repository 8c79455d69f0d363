/**
 * config.json `process` features as root: args/env/cwd, user and groups,
 * umask, the five capability sets, rlimits, no_new_privs, oom_score_adj, and
 * the fields berth-runc does not support. Compared with runc 1.1.5 on the same
 * bundle where runc supports them; failures must name the config field and
 * leave no state, cgroup or process behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, tempRoot, uniqueId } from '../helpers/bundle.js';
import { Runtime } from '../helpers/runtime.js';
import { ownCgroup, runBoth, type Pair } from '../helpers/differential.js';
import type { Spec } from '../../packages/runc/src/spec/types.js';

let tmp: string;
let rt: Runtime;
let pair: Pair;

beforeAll(() => {
  tmp = tempRoot('process');
  rt = Runtime.berth(tmp);
  pair = { tmp, berth: rt, runc: Runtime.real(tmp) };
});
afterAll(() => {
  rt.cleanup();
  pair.runc.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs in both, expects exit 0 and the same output; returns ours. */
function same(script: string, mutate: (s: Spec) => void): string {
  const r = runBoth(pair, ['sh', '-c', script], mutate);
  expect(r.berth.stderr).toBe('');
  expect(r.berth.status).toBe(0);
  expect(r.berth.stdout).toBe(r.runc.stdout);
  expect(r.runc.status).toBe(0);
  return r.berth.stdout;
}

/**
 * Nothing of a failed create is left: no state dir, no mounts, no cgroup - and
 * so no process either (a v1 cgroup directory with a task in it cannot be removed).
 */
function expectNothingLeft(id: string, rootfs: string): void {
  expect(fs.existsSync(path.join(rt.root, id)), 'state dir').toBe(false);
  for (const c of ['memory', 'pids', 'devices', 'freezer']) {
    expect(fs.existsSync(path.join('/sys/fs/cgroup', c, ownCgroup(c), id)), `${c} cgroup`).toBe(false);
  }
  expect(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(rootfs), 'mounts').toBe(false);
}

/** create fails in berth-runc (field named) and in runc. */
function bothRefuse(mutate: (s: Spec) => void, field: string): string {
  const b = makeBundle(tmp, ['true'], mutate);
  const id = uniqueId('bad');
  const r = rt.run(['create', '--bundle', b.dir, id]);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(field);
  expectNothingLeft(id, b.rootfs);
  const rb = makeBundle(tmp, ['true'], mutate);
  const real = pair.runc.run(['run', '--bundle', rb.dir, uniqueId('badr')]);
  expect(real.status, `runc: ${real.stderr}`).toBe(1);
  return r.stderr;
}

describe('process', () => {
  it('runs args with env and cwd', () => {
    const out = same('echo "$FOO|$EMPTY|$(pwd)|$0|$1"', (s) => {
      s.process!.args = ['sh', '-c', 'echo "$FOO|$EMPTY|$(pwd)|$0|$1"', 'zero', 'one'];
      s.process!.env = ['PATH=/bin', 'FOO=bar baz', 'EMPTY='];
      s.process!.cwd = '/tmp';
    });
    expect(out).toBe('bar baz||/tmp|zero|one\n');
  });

  it('switches to uid, gid, additionalGids and umask (id, umask, new file mode)', () => {
    const out = same('id; umask; touch /tmp/f; stat -c "%a %u:%g" /tmp/f', (s) => {
      s.root!.readonly = false;
      s.process!.user = { uid: 1000, gid: 1001, additionalGids: [10, 20, 30], umask: 0o027 };
    });
    expect(out).toBe('uid=1000 gid=1001 groups=10,20,30\n0027\n640 1000:1001\n');
  });

  it('sets all five capability sets, ambient ones raised only when inheritable, like runc', () => {
    const out = same('grep ^Cap /proc/self/status', (s) => {
      s.process!.user = { uid: 1000, gid: 1000 };
      s.process!.capabilities = {
        bounding: ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_KILL', 'CAP_NET_RAW', 'CAP_SYS_ADMIN'],
        effective: ['CAP_CHOWN', 'CAP_KILL'],
        permitted: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW', 'CAP_DAC_OVERRIDE'],
        inheritable: ['CAP_KILL', 'CAP_NET_RAW'],
        ambient: ['CAP_KILL', 'CAP_NET_RAW', 'CAP_DAC_OVERRIDE'],
      };
    });
    // uid 1000 after exec: permitted = effective = ambient (KILL 5, NET_RAW 13); DAC_OVERRIDE is not inheritable
    expect(out).toBe(
      'CapInh:\t0000000000002020\nCapPrm:\t0000000000002020\nCapEff:\t0000000000002020\nCapBnd:\t0000000000202023\nCapAmb:\t0000000000002020\n',
    );
  });

  it('applies lowered rlimits (RLIMIT_NOFILE 1024/2048)', () => {
    expect(same('ulimit -Sn; ulimit -Hn', (s) => { s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }]; })).toBe('1024\n2048\n');
  });

  it('fails to raise an rlimit above the hard limit (EPERM without CAP_SYS_RESOURCE), naming process.rlimits[i]', () => {
    const err = bothRefuse((s) => {
      s.process!.rlimits = [
        { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
        { type: 'RLIMIT_NOFILE', soft: 1024, hard: 1 << 30 },
      ];
    }, 'process.rlimits[1]');
    expect(err).toContain('RLIMIT_NOFILE');
    expect(err).toContain('operation not permitted');
  });

  it('sets no_new_privs only when asked', () => {
    expect(same('grep NoNewPrivs /proc/self/status', (s) => { s.process!.noNewPrivileges = true; })).toBe('NoNewPrivs:\t1\n');
    expect(same('grep NoNewPrivs /proc/self/status', (s) => { s.process!.noNewPrivileges = false; })).toBe('NoNewPrivs:\t0\n');
  });

  it('sets a positive oomScoreAdj', () => {
    expect(same('cat /proc/self/oom_score_adj', (s) => { s.process!.oomScoreAdj = 500; })).toBe('500\n');
  });

  it('fails a negative oomScoreAdj without CAP_SYS_RESOURCE, naming process.oomScoreAdj, leaving nothing', () => {
    const err = bothRefuse((s) => { s.process!.oomScoreAdj = -100; }, 'process.oomScoreAdj');
    expect(err).toMatch(/process\.oomScoreAdj: writing oom_score_adj -100: (permission denied|operation not permitted)/);
  });
});

describe('unsupported fields', () => {
  it('warns about process.apparmorProfile on stderr and runs', () => {
    const b = makeBundle(tmp, ['echo', 'ran'], (s) => { s.process!.apparmorProfile = 'docker-default'; });
    const r = rt.run(['run', '--bundle', b.dir, uniqueId('aa')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('ran\n');
    expect(r.stderr).toMatch(/level=warning msg=".*process\.apparmorProfile: AppArmor is not supported/);
  });

  it('refuses linux.intelRdt with a clear error and leaves nothing', () => {
    const b = makeBundle(tmp, ['true'], (s) => { s.linux!.intelRdt = { closID: 'x' }; });
    const id = uniqueId('rdt');
    const r = rt.run(['create', '--bundle', b.dir, id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('linux.intelRdt: Intel RDT is not supported by berth-runc');
    expectNothingLeft(id, b.rootfs);
  });
});
