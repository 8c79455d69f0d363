/**
 * The real `ctr` 1.6 against berth-containerd's snapshots service, for the
 * overlayfs and native snapshotters: prepare/view/commit/mounts (the printed
 * mount command is run, written through and unmounted), ls/tree/info/usage/
 * label/rm, error messages, namespaces; then the same ctr lines against the
 * real containerd 1.6, compared after normalising root paths and times.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctr, haveProgram, startBerthContainerd, startRealContainerd, tempDir, type Running } from './daemons.js';

const isRoot = process.getuid?.() === 0;
const canRun = haveProgram('ctr') && isRoot;

/** Runs a `mount -t ... <target> -o ...` line as ctr prints it (no shell). */
function runMountLine(line: string): void {
  const args = line.trim().split(/\s+/);
  expect(args[0], `not a mount line: ${JSON.stringify(line)}`).toBe('mount');
  execFileSync('mount', args.slice(1));
}

function unmount(target: string): void {
  execFileSync('umount', [target]);
}

function mounted(target: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === target);
}

describe.skipIf(!canRun)('ctr snapshots against berth-containerd', () => {
  let dir: string;
  let d: Running;
  const targets: string[] = [];
  const run = (...args: string[]) => ctr(d.address, args);

  beforeAll(async () => {
    dir = tempDir('snap');
    d = await startBerthContainerd(dir);
  });

  afterAll(async () => {
    for (const t of targets) if (mounted(t)) unmount(t);
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const target = (name: string) => {
    const t = path.join(dir, name);
    fs.mkdirSync(t, { recursive: true });
    targets.push(t);
    return t;
  };

  for (const sn of ['overlayfs', 'native']) {
    it(`${sn}: prepare, write through the printed mount, commit, stack, view, usage, rm`, () => {
      const s = (...args: string[]) => run('snapshots', '--snapshotter', sn, ...args);
      expect(s('prepare', 'base-a').status).toBe(0);
      const t1 = target(`${sn}-1`);
      const m1 = s('mounts', t1, 'base-a');
      expect(m1.stdout).toMatch(/^mount -t bind \S+ \S+ -o (rw,rbind|rbind,rw)\n$/);
      runMountLine(m1.stdout);
      fs.mkdirSync(path.join(t1, 'etc'));
      fs.writeFileSync(path.join(t1, 'etc/hello'), 'hello');
      fs.writeFileSync(path.join(t1, 'gone'), 'soon');
      unmount(t1);
      const usage = s('usage', 'base-a');
      expect(usage.stdout).toMatch(/^KEY\s+SIZE\s+INODES\s*\nbase-a\s+\S+ \S+\s+4\s*\n$/);
      expect(s('commit', 'base', 'base-a').status).toBe(0);

      expect(s('prepare', 'top-a', 'base').status).toBe(0);
      const t2 = target(`${sn}-2`);
      const m2 = s('mounts', t2, 'top-a');
      if (sn === 'overlayfs') expect(m2.stdout).toMatch(/^mount -t overlay overlay \S+ -o (index=off,)?workdir=\S+,upperdir=\S+,lowerdir=\S+\n$/);
      runMountLine(m2.stdout);
      expect(fs.readFileSync(path.join(t2, 'etc/hello'), 'utf8')).toBe('hello');
      fs.rmSync(path.join(t2, 'gone'));
      fs.writeFileSync(path.join(t2, 'new'), 'new');
      unmount(t2);
      expect(s('commit', 'top', 'top-a').status).toBe(0);

      // -t prints the mount line at once (a view has no gc.root label; the collector may take it)
      const t3 = target(`${sn}-3`);
      runMountLine(s('view', '-t', t3, 'v', 'top').stdout);
      expect(fs.readdirSync(t3).sort()).toEqual(['etc', 'new']);
      expect(() => fs.writeFileSync(path.join(t3, 'x'), 'x')).toThrow();
      unmount(t3);

      expect(s('ls').stdout).toBe('KEY  PARENT KIND      \nbase        Committed \ntop  base   Committed \nv    top    View      \n');
      expect(s('tree').stdout).toBe(' base\n  \\_ top\n    \\_ v\n');
      const info = JSON.parse(s('info', 'top').stdout) as Record<string, unknown>;
      expect(info).toMatchObject({ Kind: 'Committed', Name: 'top', Parent: 'base' });
      expect(Object.keys(info.Labels as object)).toEqual(['containerd.io/gc.root']);
      expect(s('label', 'top', 'a=b').status).toBe(0);
      expect(JSON.parse(s('info', 'top').stdout).Labels.a).toBe('b');
      expect(s('label', 'top', 'a=').status).toBe(0);
      expect(JSON.parse(s('info', 'top').stdout).Labels.a).toBeUndefined();

      const rm = s('rm', 'base');
      expect([rm.status, rm.stderr]).toEqual([1, 'ctr: failed to remove "base": cannot remove snapshot with child: failed precondition\n']);
      expect(s('rm', 'v', 'top', 'base').status).toBe(0);
      expect(s('ls').stdout).toBe('KEY PARENT KIND \n');
      // the directories went with the snapshots
      const snapDir = path.join(dir, 'root', `io.containerd.snapshotter.v1.${sn}`, 'snapshots');
      expect(fs.readdirSync(snapDir)).toEqual([]);
    });
  }

  it('keys are per namespace, and errors read as containerd writes them', () => {
    expect(run('-n', 'one', 'snapshots', 'prepare', 'k').status).toBe(0);
    expect(run('-n', 'two', 'snapshots', 'prepare', 'k').status).toBe(0);
    expect(run('-n', 'one', 'snapshots', 'ls').stdout).toMatch(/^KEY PARENT KIND\s*\nk\s+Active\s*\n$/);
    const dup = run('-n', 'one', 'snapshots', 'prepare', 'k');
    expect(dup.stderr).toBe('ctr: snapshot "k": already exists\n');
    expect(run('-n', 'one', 'snapshots', 'info', 'nothere').stderr).toBe('ctr: snapshot nothere does not exist: not found\n');
    expect(run('-n', 'one', 'snapshots', 'prepare', 'c', 'nothere').stderr).toBe('ctr: parent snapshot nothere does not exist: not found\n');
    expect(run('-n', 'one', 'snapshots', 'prepare', 'c', 'k').stderr).toMatch(/^ctr: failed to create snapshot: parent "one\/\d+\/k" is not committed snapshot: invalid argument\n$/);
    expect(run('snapshots', '--snapshotter', 'zfs', 'ls').stderr).toBe('ctr: snapshotter not loaded: zfs: invalid argument\n');
    // a namespace with snapshots cannot be deleted
    expect(run('namespaces', 'rm', 'one').stderr).toMatch(/must be empty, but it still has snapshots on "overlayfs" snapshotter/);
    expect(run('-n', 'one', 'snapshots', 'rm', 'k').status).toBe(0);
    expect(run('-n', 'two', 'snapshots', 'rm', 'k').status).toBe(0);
  });

  it('ctr snapshots diff writes the changes of an active snapshot as a layer', () => {
    const s = (...args: string[]) => run('snapshots', ...args);
    expect(s('prepare', 'd-base-a').status).toBe(0);
    const t = target('diff-1');
    runMountLine(s('mounts', t, 'd-base-a').stdout);
    fs.writeFileSync(path.join(t, 'old'), 'old');
    fs.writeFileSync(path.join(t, 'keep'), 'keep');
    unmount(t);
    expect(s('commit', 'd-base', 'd-base-a').status).toBe(0);
    expect(s('prepare', 'd-top', 'd-base').status).toBe(0);
    const t2 = target('diff-2');
    runMountLine(s('mounts', t2, 'd-top').stdout);
    fs.rmSync(path.join(t2, 'old'));
    fs.mkdirSync(path.join(t2, 'dir'));
    fs.writeFileSync(path.join(t2, 'dir/added'), 'added');
    unmount(t2);
    const layer = execFileSync('ctr', ['--address', d.address, 'snapshots', 'diff', 'd-top'], { maxBuffer: 1 << 24 });
    expect(layer.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip, the walking differ's default
    const listing = execFileSync('tar', ['-tz'], { input: layer }).toString().trim().split('\n');
    expect(listing).toEqual(['dir/', 'dir/added', '.wh.old']); // path order, as containerd's walk
    expect(s('rm', 'd-top', 'd-base').status).toBe(0);
  });
});

// The same ctr lines against the real containerd and against berth-containerd.
const script = (sn: string): string[][] =>
  [
    ['prepare', 'a'],
    ['prepare', 'a'],
    ['mounts', '/T', 'a'],
    ['commit', 'ca', 'a'],
    ['prepare', 'b', 'ca'],
    ['mounts', '/T', 'b'],
    ['view', 'v', 'ca'],
    ['mounts', '/T', 'v'],
    ['commit', 'cb', 'b'],
    ['view', 'v2', 'cb'],
    ['mounts', '/T', 'v2'],
    ['ls'],
    ['tree'],
    ['info', 'ca'],
    ['info', 'v2'],
    ['usage'],
    ['usage', 'ca'],
    ['label', 'ca', 'foo=bar'],
    ['info', 'ca'],
    ['ls', 'kind==View'],
    ['ls', 'labels.foo==bar'],
    ['ls', 'parent==ca,kind==View'],
    ['rm', 'ca'],
    ['rm', 'nothere'],
    ['commit', 'x', 'v'],
    ['commit', 'ca', 'v'],
    ['prepare', 'c', 'nothere'],
    ['prepare', 'c', 'v'],
    ['mounts', '/T', 'ca'],
    ['info', 'nothere'],
    ['usage', 'nothere'],
    ['rm', 'v', 'v2', 'cb'],
    ['ls'],
  ].map((args) => ['snapshots', '--snapshotter', sn, ...args]);

/** Root paths and times differ by construction; `ctr snapshots label` prints a Go map, in random order. */
function normalise(s: string, root: string, args: string[]): string {
  let out = s.replaceAll(root, '<root>').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');
  if (args.includes('label')) out = out.trim().split(',').sort().join(',');
  return out;
}

/**
 * Known, deliberate differences. containerd's native snapshotter measures a
 * snapshot's usage before checking it is active, and fails on a view of a
 * parent (which has no directory) with a bare lstat error; we check first.
 */
const deliberate: Record<string, { status: number; stderr: RegExp }> = {
  'native commit x v': { status: 1, stderr: /^ctr: failed to commit snapshot: snapshot "default\/\d+\/v" is not active: failed precondition\n$/ },
  'native commit ca v': { status: 1, stderr: /^ctr: snapshot "ca": already exists\n$/ },
};

describe.skipIf(!(canRun && haveProgram('containerd')))('ctr snapshots: real containerd vs berth-containerd', () => {
  const dirs: string[] = [];
  let real: Running;
  let ours: Running;

  beforeAll(async () => {
    dirs.push(tempDir('snapdiff-real'), tempDir('snapdiff-ours'));
    real = await startRealContainerd(dirs[0]);
    ours = await startBerthContainerd(dirs[1]);
  });

  afterAll(async () => {
    await real?.stop();
    await ours?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  for (const sn of ['overlayfs', 'native']) {
    it(`${sn}: the same output for the same commands`, () => {
      for (const args of script(sn)) {
        const a = ctr(real.address, args);
        const b = ctr(ours.address, args);
        const what = `ctr ${args.join(' ')}`;
        const known = deliberate[`${sn} ${args.slice(3).join(' ')}`];
        if (known !== undefined) {
          expect(b.status, what).toBe(known.status);
          expect(b.stderr, what).toMatch(known.stderr);
          continue;
        }
        const side = (r: typeof a, root: string) => ({
          status: r.status,
          stdout: normalise(r.stdout, root, args),
          stderr: normalise(r.stderr, root, args),
        });
        expect(side(b, path.join(dirs[1]!, 'root')), what).toEqual(side(a, path.join(dirs[0]!, 'root')));
      }
    });
  }
});
