import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { MetadataDB } from './db.js';
import { objectKey, schemaKey } from './keys.js';
import { ensureNamespace, NamespaceStore } from './namespaces.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('namespace store (level)', () => {
  let dir: string;
  let db: MetadataDB;
  let store: NamespaceStore;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-meta-'));
    db = await MetadataDB.open(path.join(dir, 'meta'));
    store = new NamespaceStore(db);
  });
  afterEach(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists in name order, and refuses duplicates and bad names', async () => {
    await store.create('zeta', {});
    await store.create('alpha', { a: 'b' });
    expect(await store.list()).toEqual([
      { name: 'alpha', labels: { a: 'b' } },
      { name: 'zeta', labels: {} },
    ]);
    const dup = await rejection(store.create('alpha', {}));
    expect(isBerthError(dup, 'AlreadyExists')).toBe(true);
    expect(dup.message).toBe('namespace "alpha"');
    expect(isBerthError(await rejection(store.create('bad!', {})), 'InvalidArgument')).toBe(true);
  });

  it('answers no labels for an unknown namespace, and setting labels creates it (containerd semantics)', async () => {
    expect(await store.labels('ghost')).toEqual({});
    expect(await store.updateLabels('ghost', (l) => ({ ...l, x: 'y' }))).toEqual({ x: 'y' });
    expect(await store.labels('ghost')).toEqual({ x: 'y' });
    expect(await store.updateLabels('ghost', (l) => ({ ...l, x: '' }))).toEqual({});
    expect(isBerthError(await rejection(store.updateLabels('bad!', (l) => l)), 'InvalidArgument')).toBe(true);
  });

  it('deletes only existing, empty namespaces', async () => {
    const missing = await rejection(store.delete('nothere'));
    expect(isBerthError(missing, 'NotFound')).toBe(true);
    await db.update(async (tx) => {
      await ensureNamespace(tx, 'busy');
      tx.put(objectKey('busy', 'images', 'docker.io/library/busybox:latest'), { schema: 1 });
      tx.put(objectKey('busy', 'snapshots', 'overlayfs/k1'), { schema: 1 });
      tx.put(objectKey('busy', 'snapshots', 'native/k1'), { schema: 1 });
      tx.put(objectKey('busy', 'containers', 'c1'), { schema: 1 });
      tx.put(objectKey('busy', 'content', 'blob/sha256:00'), { schema: 1 });
      tx.put(objectKey('busy', 'leases', 'l1'), { schema: 1 });
    });
    // containerd's order (not the keys' order): images, blobs, containers, snapshotters by name
    const full = await rejection(store.delete('busy'));
    expect(full.message).toBe(
      'namespace "busy" must be empty, but it still has images, blobs, containers, snapshots on "native" snapshotter, snapshots on "overlayfs" snapshotter',
    );
    await db.update(async (tx) => {
      tx.del(objectKey('busy', 'containers', 'c1'));
      tx.del(objectKey('busy', 'content', 'blob/sha256:00'));
      tx.del(objectKey('busy', 'snapshots', 'native/k1'));
    });
    const busy = await rejection(store.delete('busy'));
    expect(isBerthError(busy, 'FailedPrecondition')).toBe(true);
    expect(busy.message).toBe('namespace "busy" must be empty, but it still has images, snapshots on "overlayfs" snapshotter');
    await db.update(async (tx) => {
      tx.del(objectKey('busy', 'images', 'docker.io/library/busybox:latest'));
      tx.del(objectKey('busy', 'snapshots', 'overlayfs/k1'));
    });
    await store.delete('busy');
    expect(await store.list()).toEqual([]);
    // the lease went with the namespace
    expect(await db.view((tx) => tx.keys('v1/ns/busy/'))).toEqual([]);
  });

  it('keeps data across reopen, and refuses a database from a newer schema', async () => {
    await store.create('kept', { k: 'v' });
    await db.close();
    db = await MetadataDB.open(path.join(dir, 'meta'));
    expect(await new NamespaceStore(db).list()).toEqual([{ name: 'kept', labels: { k: 'v' } }]);
    await db.update(async (tx) => tx.put(schemaKey, { schema: 99 }));
    await db.close();
    const err = await rejection(MetadataDB.open(path.join(dir, 'meta')));
    expect(isBerthError(err, 'FailedPrecondition')).toBe(true);
    db = await MetadataDB.open(path.join(dir, 'other'));
  });

  it('serialises updates and rolls back a failed one entirely', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.updateLabels('n', (l) => ({ ...l, [`k${i}`]: 'v' }))));
    expect(Object.keys(await store.labels('n'))).toHaveLength(20);
    await rejection(
      db.update(async (tx) => {
        tx.put(objectKey('n', 'images', 'x'), { schema: 1 });
        throw new Error('boom');
      }),
    );
    expect(await db.view((tx) => tx.keys('v1/ns/n/'))).toEqual([]);
  });
});
