import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Of } from '../content/digest.js';
import { ingestKey, type IngestRecord } from '../content/keys.js';
import { LocalStore } from '../content/local-store.js';
import { ContentStore } from '../content/store.js';
import { ImageStore } from '../images/store.js';
import { LeaseStore } from '../leases/store.js';
import { containersPrefix } from '../containers/store.js';
import { MetadataDB, type ReadTx, type StoredRecord } from '../metadata/db.js';
import { Collector } from './collector.js';
import { labelReferences } from './labels.js';
import type { Emit, GcNode, GcResourceStore } from './types.js';

/** A stand-in for the snapshot store: snapshots with a parent and labels, in memory. */
class FakeSnapshots implements GcResourceStore {
  readonly type = 'snapshot';
  readonly snaps = new Map<string, { parent?: string; labels: Record<string, string> }>(); // "<ns>/<snapshotter>/<key>"
  cleanups = 0;
  async roots(_tx: ReadTx, ns: string, emit: Emit) {
    for (const [id, s] of this.snaps) {
      const [sns, snapshotter, key] = id.split('/');
      if (sns === ns && 'containerd.io/gc.root' in s.labels) emit({ type: 'snapshot', namespace: ns, key: `${snapshotter}/${key}` });
    }
  }
  async references(_tx: ReadTx, node: GcNode, emit: Emit) {
    const s = this.snaps.get(`${node.namespace}/${node.key}`);
    if (s === undefined) return;
    const snapshotter = node.key.split('/')[0];
    if (s.parent !== undefined) emit({ type: 'snapshot', namespace: node.namespace, key: `${snapshotter}/${s.parent}`, flat: node.flat });
    if (node.flat !== true) labelReferences(node.namespace, s.labels, emit);
  }
  async all(_tx: ReadTx, ns: string, emit: Emit) {
    for (const id of this.snaps.keys()) {
      const [sns, ...rest] = id.split('/');
      if (sns === ns) emit({ type: 'snapshot', namespace: ns, key: rest.join('/') });
    }
  }
  async remove(_tx: unknown, node: GcNode) {
    this.snaps.delete(`${node.namespace}/${node.key}`);
  }
  async cleanup() {
    this.cleanups++;
  }
}

describe('garbage collector', () => {
  let dir: string;
  let db: MetadataDB;
  let backend: LocalStore;
  let content: ContentStore;
  let leases: LeaseStore;
  let images: ImageStore;
  let snapshots: FakeSnapshots;
  let gc: Collector;

  const put = async (ns: string, data: string, labels: Record<string, string> = {}, lease?: string) => {
    const w = await content.writer(ns, { ref: `ref-${data}`, total: 0, expected: '' }, lease);
    await w.write(Buffer.from(data).subarray(w.status().offset));
    await w.commit(0, '', labels).catch(() => undefined);
    return sha256Of(data);
  };
  const visible = async (ns: string) => (await content.list(ns)).map((i) => i.digest).sort();

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-gc-'));
    db = await MetadataDB.open(path.join(dir, 'meta'));
    backend = await LocalStore.open(path.join(dir, 'content'));
    content = new ContentStore(db, backend);
    leases = new LeaseStore(db);
    images = new ImageStore(db);
    snapshots = new FakeSnapshots();
    gc = new Collector(db, content);
    gc.register(snapshots);
  });
  afterEach(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps what images reach through gc.ref labels, and removes the rest from records and disk', async () => {
    const config = await put('a', 'config');
    const layer = await put('a', 'layer');
    const manifest = await put('a', 'manifest', {
      'containerd.io/gc.ref.content.config': config,
      'containerd.io/gc.ref.content.l.0': layer,
      'containerd.io/gc.ref.snapshot.overlayfs': 's2',
      'containerd.io/gc.ref.contentx': sha256Of('not a ref'),
    });
    const stray = await put('a', 'stray');
    const rooted = await put('a', 'rooted', { 'containerd.io/gc.root': 'x' });
    snapshots.snaps.set('a/overlayfs/s1', { labels: {} });
    snapshots.snaps.set('a/overlayfs/s2', { parent: 's1', labels: {} });
    snapshots.snaps.set('a/overlayfs/orphan', { labels: {} });
    snapshots.snaps.set('a/overlayfs/pinned', { labels: { 'containerd.io/gc.root': 'x' } });
    await images.create('a', { name: 'img', labels: {}, target: { mediaType: 'm', digest: manifest, size: 8, annotations: {} } });

    const stats = await gc.collect();
    expect(stats.removed).toEqual({ content: 1, snapshot: 1 });
    expect(await visible('a')).toEqual([config, layer, manifest, rooted].sort());
    expect(await backend.exists(stray)).toBe(false);
    expect([...snapshots.snaps.keys()].sort()).toEqual(['a/overlayfs/pinned', 'a/overlayfs/s1', 'a/overlayfs/s2']);
    expect(snapshots.cleanups).toBe(1);

    await images.delete('a', 'img');
    await gc.collect();
    expect(await visible('a')).toEqual([rooted]);
    expect([...snapshots.snaps.keys()]).toEqual(['a/overlayfs/pinned']);
    for (const d of [config, layer, manifest]) expect(await backend.exists(d)).toBe(false);
  });

  it('keeps what live leases hold, drops expired leases, and does not follow refs of flat leases', async () => {
    await leases.create('a', 'live', {});
    await leases.create('a', 'expired', { 'containerd.io/gc.expire': new Date(Date.now() - 1000).toISOString() });
    const later = new Date(Date.now() + 3_600_000);
    await leases.create('a', 'later', { 'containerd.io/gc.expire': later.toISOString() });
    await leases.create('a', 'flat', { 'containerd.io/gc.flat': 'true' });
    const held = await put('a', 'held', {}, 'live');
    const gone = await put('a', 'gone', {}, 'expired');
    const child = await put('a', 'child');
    const parent = await put('a', 'parent', { 'containerd.io/gc.ref.content': child }, 'flat');
    await leases.addResource('a', 'flat', { type: 'snapshots/overlayfs', id: 'top' });
    snapshots.snaps.set('a/overlayfs/base', { labels: {} });
    snapshots.snaps.set('a/overlayfs/top', { parent: 'base', labels: { 'containerd.io/gc.ref.content': child } });

    const stats = await gc.collect();
    expect(stats.nextExpiry?.getTime()).toBe(later.getTime());
    expect((await leases.list('a')).map((l) => l.id).sort()).toEqual(['flat', 'later', 'live']);
    expect(await visible('a')).toEqual([held, parent].sort());
    expect(await backend.exists(gone)).toBe(false);
    expect(await backend.exists(child)).toBe(false);
    // a flat snapshot still keeps its parent
    expect([...snapshots.snaps.keys()].sort()).toEqual(['a/overlayfs/base', 'a/overlayfs/top']);
  });

  it('keeps ingests until they expire or lose their lease; ingests keep an expected blob of another namespace', async () => {
    await leases.create('a', 'l', {});
    await (await content.writer('a', { ref: 'leased', total: 0, expected: '' }, 'l')).close();
    await (await content.writer('a', { ref: 'fresh', total: 0, expected: '' })).close();
    await (await content.writer('a', { ref: 'stale', total: 0, expected: '' })).close();
    await db.update(async (tx) => {
      const r = (await tx.get<IngestRecord>(ingestKey('a', 'stale')))!;
      const expired: IngestRecord = { ...r, expireAt: new Date(Date.now() - 1).toISOString() };
      tx.put(ingestKey('a', 'stale'), expired);
    });
    const other = await put('b', 'elsewhere');
    await (await content.writer('c', { ref: 'linking', total: 0, expected: other })).close();
    await content.delete('b', other);

    await gc.collect();
    expect((await content.listStatuses('a')).map((s) => s.ref)).toEqual(['fresh', 'leased']);
    expect((await backend.ingestRefs()).sort()).toEqual(['a/1/fresh', 'a/1/leased']);
    expect(await backend.exists(other)).toBe(true); // the "linking" ingest expects it

    await leases.delete('a', 'l');
    await gc.collect();
    expect((await content.listStatuses('a')).map((s) => s.ref)).toEqual(['fresh']);
    expect(await backend.ingestRefs()).toEqual(['a/1/fresh']);
  });

  it("keeps a container's snapshot (and its parents) and what the container's labels name", async () => {
    const checkpoint = await put('a', 'checkpoint');
    snapshots.snaps.set('a/overlayfs/layer', { labels: {} });
    snapshots.snaps.set('a/overlayfs/rootfs', { parent: 'layer', labels: {} });
    snapshots.snaps.set('a/overlayfs/old', { labels: {} });
    await db.update(async (tx) => {
      tx.put(`${containersPrefix('a')}c1`, {
        schema: 1,
        labels: { 'containerd.io/gc.ref.content.checkpoint': checkpoint },
        snapshotter: 'overlayfs',
        snapshotKey: 'rootfs',
      } as StoredRecord);
    });
    await gc.collect();
    expect([...snapshots.snaps.keys()].sort()).toEqual(['a/overlayfs/layer', 'a/overlayfs/rootfs']);
    expect(await visible('a')).toEqual([checkpoint]);
  });

  it('keeps a blob while any namespace refers to it', async () => {
    const d = await put('a', 'both');
    await put('b', 'both', { 'containerd.io/gc.root': '1' });
    await gc.collect();
    expect(await visible('a')).toEqual([]);
    expect(await visible('b')).toEqual([d]);
    expect(await backend.exists(d)).toBe(true);
  });

  it('refuses to register a second store for a type, or a type of its own', () => {
    expect(() => gc.register(new FakeSnapshots())).toThrow(/already registered/);
    const own = Object.assign(new FakeSnapshots(), { type: 'content' });
    expect(() => gc.register(own)).toThrow(/belongs to the collector/);
  });
});
