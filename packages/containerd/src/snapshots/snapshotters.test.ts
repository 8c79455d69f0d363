import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { MetadataDB } from '../metadata/db.js';
import { mountArgs, mount, unmount } from './mount.js';
import { Snapshotters } from './registry.js';
import type { NamespacedSnapshotter } from './metadata.js';

const isRoot = process.getuid?.() === 0;
const ns = { namespace: 'default' };

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected a failure');
  return err;
}

describe.skipIf(!isRoot)('snapshotters (as root)', () => {
  let tmp: string;
  let db: MetadataDB;
  let sns: Snapshotters;
  const mounted: string[] = [];

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-snap-'));
    db = await MetadataDB.open(path.join(tmp, 'meta'));
    sns = await Snapshotters.open(db, path.join(tmp, 'root'));
  });

  afterEach(async () => {
    for (const m of mounted.splice(0)) await unmount(m);
    await sns.close();
    await db.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const mountAt = async (mounts: Awaited<ReturnType<NamespacedSnapshotter['mounts']>>, name: string) => {
    const target = path.join(tmp, name);
    fs.mkdirSync(target);
    for (const m of mounts) await mount(m, target);
    mounted.push(target);
    return target;
  };

  it('overlayfs: prepare, write, commit, stack, view, with containerd mounts and errors', async () => {
    const sn = sns.get('overlayfs');
    const root = path.join(tmp, 'root', 'io.containerd.snapshotter.v1.overlayfs');
    const m1 = await sn.prepare(ns, 'base-active', '', { 'containerd.io/gc.root': 'x' });
    expect(m1).toEqual([{ type: 'bind', source: `${root}/snapshots/1/fs`, options: ['rw', 'rbind'] }]);
    fs.writeFileSync(path.join(root, 'snapshots/1/fs/a'), 'base');
    await sn.commit(ns, 'base', 'base-active', { l: '1' });
    const committed = await sn.stat('default', 'base');
    expect([committed.kind, committed.parent, committed.labels]).toEqual(['committed', '', { l: '1' }]);
    expect((await sn.usage('default', 'base')).inodes).toBe(2);

    const m2 = await sn.prepare(ns, 'top', 'base', {});
    expect(m2[0]!.type).toBe('overlay');
    expect(m2[0]!.options.slice(-3)).toEqual([`workdir=${root}/snapshots/2/work`, `upperdir=${root}/snapshots/2/fs`, `lowerdir=${root}/snapshots/1/fs`]);
    const merged = await mountAt(m2, 'merged');
    expect(fs.readFileSync(path.join(merged, 'a'), 'utf8')).toBe('base');
    fs.writeFileSync(path.join(merged, 'b'), 'top');
    fs.rmSync(path.join(merged, 'a'));
    await unmount(mounted.pop()!);
    expect(fs.readdirSync(path.join(root, 'snapshots/2/fs')).sort()).toEqual(['a', 'b']); // a is a whiteout
    const usage = await sn.usage('default', 'top');
    expect(usage.inodes).toBe(3);
    await sn.commit(ns, 'top-c', 'top', {});

    const view = await sn.view(ns, 'v', 'top-c', {});
    const indexOff = fs.existsSync('/sys/module/overlay/parameters/index') ? ['index=off'] : [];
    expect(view).toEqual([{ type: 'overlay', source: 'overlay', options: [...indexOff, `lowerdir=${root}/snapshots/2/fs:${root}/snapshots/1/fs`] }]);
    const viewRoot = await mountAt(view, 'view');
    expect(fs.readdirSync(viewRoot)).toEqual(['b']);
    expect(() => fs.writeFileSync(path.join(viewRoot, 'c'), 'x')).toThrow(/read-only|EROFS/i);
    expect(await sn.view(ns, 'v1', 'base', {})).toEqual([{ type: 'bind', source: `${root}/snapshots/1/fs`, options: ['ro', 'rbind'] }]);

    expect((await failure(sn.remove(ns, 'base'))).message).toBe('cannot remove snapshot with child');
    expect((await failure(sn.prepare(ns, 'top-c', 'base', {}))).message).toBe('snapshot "top-c"');
    expect((await failure(sn.prepare(ns, 'x', 'nothere', {}))).message).toBe('parent snapshot nothere does not exist');
    expect((await failure(sn.prepare(ns, 'x', 'v', {}))).message).toMatch(/^failed to create snapshot: parent "default\/\d+\/v" is not committed snapshot$/);
    expect((await failure(sn.commit(ns, 'y', 'v', {}))).message).toMatch(/^failed to commit snapshot: snapshot "default\/\d+\/v" is not active$/);
    expect((await failure(sn.mounts('default', 'base'))).message).toMatch(/^failed to get active mount: requested snapshot default\/\d+\/base not active or view$/);
    expect(isBerthError(await failure(sn.stat('default', 'nope')), 'NotFound')).toBe(true);
    expect(isBerthError(await failure(sn.stat('other', 'base')), 'NotFound')).toBe(true);

    // leaves first; the directories go with the records
    await sn.remove(ns, 'v');
    await sn.remove(ns, 'v1');
    await sn.remove(ns, 'top-c');
    expect(fs.existsSync(path.join(root, 'snapshots/2'))).toBe(false);
    expect((await sn.list('default', [])).map((i) => i.name)).toEqual(['base']);
  });

  it('keys are per namespace; list filters; update labels; the mount command line works', async () => {
    const sn = sns.get('overlayfs');
    await sn.prepare({ namespace: 'a' }, 'k', '', { x: '1' });
    await sn.prepare({ namespace: 'b' }, 'k', '', { x: '2', 'containerd.io/snapshot/keep': 'y' });
    expect((await sn.list('a', [])).map((i) => [i.name, i.labels.x])).toEqual([['k', '1']]);
    expect((await sn.list('b', ['labels.x==2,kind==active'])).length).toBe(1);
    expect((await sn.list('b', ['kind==committed'])).length).toBe(0);
    const info = await sn.update('a', 'k', { y: '2', x: '' }, ['labels.y', 'labels.x']);
    expect(info.labels).toEqual({ y: '2' });
    expect((await failure(sn.update('a', 'k', {}, ['parent']))).message).toBe('cannot update "parent" field on snapshot "k"');
    // the backend sees only containerd.io/snapshot/ labels
    const backend = await sn.backend.walk();
    expect(backend.map((i) => i.labels)).toEqual([{}, { 'containerd.io/snapshot/keep': 'y' }]);

    const target = path.join(tmp, 'cmd');
    fs.mkdirSync(target);
    execFileSync('mount', mountArgs((await sn.mounts('a', 'k'))[0]!, target));
    mounted.push(target);
    fs.writeFileSync(path.join(target, 'f'), 'x');
    expect((await sn.usage('a', 'k')).inodes).toBe(2);
  });

  it('native: copies the parent, binds views of the parent, removes and collects', async () => {
    const sn = sns.get('native');
    const root = path.join(tmp, 'root', 'io.containerd.snapshotter.v1.native');
    const [m] = await sn.prepare(ns, 'p', '', {});
    expect(m).toEqual({ type: 'bind', source: `${root}/snapshots/1`, options: ['rbind', 'rw'] });
    fs.mkdirSync(path.join(m!.source, 'd'));
    fs.writeFileSync(path.join(m!.source, 'd/f'), 'x');
    fs.linkSync(path.join(m!.source, 'd/f'), path.join(m!.source, 'd/g'));
    fs.chownSync(path.join(m!.source, 'd/f'), 1234, 5678);
    fs.symlinkSync('/nowhere', path.join(m!.source, 'l'));
    await sn.commit(ns, 'pc', 'p', {});
    const [c] = await sn.prepare(ns, 'child', 'pc', {});
    const st = fs.statSync(path.join(c!.source, 'd/f'));
    expect([st.uid, st.gid, st.nlink]).toEqual([1234, 5678, 2]);
    expect(fs.readlinkSync(path.join(c!.source, 'l'))).toBe('/nowhere');
    expect(await sn.view(ns, 'v', 'pc', {})).toEqual([{ type: 'bind', source: `${root}/snapshots/1`, options: ['rbind', 'ro'] }]);

    // a record removed behind the backend's back (as the collector does) is collected later
    fs.mkdirSync(path.join(root, 'snapshots', 'new-leftover'));
    await db.update(async (tx) => {
      const { deleteRecord } = await import('./records.js');
      await deleteRecord(tx, 'default', 'native', 'child');
    });
    await sns.collect('native');
    expect(fs.readdirSync(path.join(root, 'snapshots')).sort()).toEqual(['1']);
    expect((await sn.backend.walk()).map((i) => i.name).sort()).toEqual(['default/2/pc', 'default/4/v']);
  });

  it('a collection never takes a snapshot whose record is still being written', async () => {
    const sn = sns.get('native');
    await sn.prepare(ns, 'base-a', '', {});
    await sn.commit(ns, 'base', 'base-a', { 'containerd.io/gc.root': 'x' });
    // hold Prepare between the backend call and the transaction that records it
    const backend = sn.backend as { prepare: typeof sn.backend.prepare };
    const original = backend.prepare.bind(sn.backend);
    let reached!: () => void;
    let release!: () => void;
    const atGap = new Promise<void>((r) => (reached = r));
    const gate = new Promise<void>((r) => (release = r));
    backend.prepare = async (...args) => {
      const m = await original(...args);
      reached();
      await gate;
      return m;
    };
    const prepared = sn.prepare(ns, 'racing', 'base', {});
    await atGap;
    const collected = sns.collect('native');
    await new Promise((r) => setTimeout(r, 100));
    release();
    const [mounts] = await Promise.all([prepared, collected]);
    expect(fs.existsSync(mounts[0]!.source)).toBe(true);
    expect((await sn.stat('default', 'racing')).kind).toBe('active');
  });

  it('names the snapshotter in errors as containerd does', () => {
    expect(() => sns.get('')).toThrow('snapshotter argument missing');
    expect(() => sns.get('zfs')).toThrow('snapshotter not loaded: zfs');
  });
});
