import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { MetadataDB } from '../metadata/db.js';
import { randomLeaseId } from './service.js';
import { LeaseStore } from './store.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

const digest = `sha256:${'a'.repeat(64)}`;

describe('lease store', () => {
  let dir: string;
  let db: MetadataDB;
  let store: LeaseStore;
  let changes: boolean[];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-leases-'));
    db = await MetadataDB.open(path.join(dir, 'meta'));
    changes = [];
    store = new LeaseStore(db, (deleted) => changes.push(deleted));
  });
  afterEach(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists with filters, refuses duplicates and deletes', async () => {
    const l = await store.create('ns', 'l1', { a: 'b' });
    expect(l).toMatchObject({ id: 'l1', labels: { a: 'b' } });
    // ids are free-form in containerd, random ones included
    const odd = randomLeaseId();
    expect(odd).toMatch(/^\d+-[A-Za-z0-9_-]{4}$/);
    await store.create('ns', 'with/slash=', {});
    await store.create('ns', odd, {});
    expect((await store.list('ns')).map((x) => x.id).sort()).toEqual([odd, 'l1', 'with/slash='].sort());
    expect((await store.list('ns', ['labels.a==b'])).map((x) => x.id)).toEqual(['l1']);
    expect((await store.list('ns', ['id==with/slash='])).map((x) => x.id)).toEqual(['with/slash=']);
    expect(await store.list('other')).toEqual([]);
    const dup = await rejection(store.create('ns', 'l1', {}));
    expect(isBerthError(dup, 'AlreadyExists')).toBe(true);
    expect(dup.message).toBe('lease "l1"');
    await store.delete('ns', 'l1');
    const gone = await rejection(store.delete('ns', 'l1'));
    expect(isBerthError(gone, 'NotFound')).toBe(true);
    expect(gone.message).toBe('lease "l1"');
    expect(changes).toEqual([false, false, false, true]);
  });

  it('holds resources of the types containerd knows, and drops them with the lease', async () => {
    await store.create('ns', 'l', {});
    await store.addResource('ns', 'l', { type: 'content', id: digest });
    await store.addResource('ns', 'l', { type: 'ingests', id: 'layer-ref' });
    await store.addResource('ns', 'l', { type: 'snapshots/overlayfs', id: 'key/with/slashes' });
    expect(await store.listResources('ns', 'l')).toEqual([
      { type: 'content', id: digest },
      { type: 'ingests', id: 'layer-ref' },
      { type: 'snapshots/overlayfs', id: 'key/with/slashes' },
    ]);
    await store.deleteResource('ns', 'l', { type: 'ingests', id: 'layer-ref' });
    expect((await store.listResources('ns', 'l')).length).toBe(2);

    const bad = [
      [{ type: 'content', id: 'nope' }, 'InvalidArgument', 'invalid content resource id nope: invalid checksum digest format'],
      [{ type: 'content/x', id: digest }, 'InvalidArgument', 'invalid resource type content/x'],
      [{ type: 'snapshots', id: 'k' }, 'InvalidArgument', 'invalid snapshot resource type snapshots'],
      [{ type: 'containers', id: 'c' }, 'NotImplemented', 'resource type containers not supported yet'],
    ] as const;
    for (const [r, code, message] of bad) {
      const err = await rejection(store.addResource('ns', 'l', r));
      expect(isBerthError(err, code), message).toBe(true);
      expect(err.message).toBe(message);
    }
    expect((await rejection(store.addResource('ns', 'none', { type: 'content', id: digest }))).message).toBe('lease "none"');
    expect((await rejection(store.listResources('ns', 'none'))).message).toBe('lease "none"');

    await store.delete('ns', 'l');
    await store.create('ns', 'l', {});
    expect(await store.listResources('ns', 'l')).toEqual([]);
  });
});
