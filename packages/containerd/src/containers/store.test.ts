import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataDB } from '../metadata/db.js';
import { ContainerStore } from './store.js';

const spec = { typeUrl: 'types.containerd.io/opencontainers/runtime-spec/1/Spec', value: new TextEncoder().encode('{"ociVersion":"1.0.2"}') };
const base = {
  id: 'c1',
  labels: { a: 'b' },
  image: 'docker.io/library/busybox:latest',
  runtime: { name: 'io.containerd.runc.v2' },
  spec,
  snapshotter: 'overlayfs',
  snapshotKey: 'c1',
  extensions: {},
  sandbox: '',
};

describe('container store (level)', () => {
  let dir: string;
  let db: MetadataDB;
  let store: ContainerStore;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-containers-'));
    db = await MetadataDB.open(path.join(dir, 'meta'));
    store = new ContainerStore(db);
  });
  afterEach(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates, gets, lists with filters, updates by field path and deletes', async () => {
    const created = await store.create('ns', base);
    expect(created.createdAt.getTime()).toBe(created.updatedAt.getTime());
    await store.create('ns', { ...base, id: 'c2', labels: {}, image: 'other' });
    expect((await store.get('ns', 'c1')).spec?.value).toEqual(spec.value);
    expect((await store.list('ns')).map((c) => c.id)).toEqual(['c1', 'c2']);
    expect((await store.list('ns', ['labels.a==b'])).map((c) => c.id)).toEqual(['c1']);
    expect((await store.list('ns', ['image==other'])).map((c) => c.id)).toEqual(['c2']);
    expect(await store.list('other-ns')).toEqual([]);

    const updated = await store.update('ns', { ...base, labels: { x: 'y' }, image: 'new' }, ['labels.x', 'image']);
    expect(updated.labels).toEqual({ a: 'b', x: 'y' });
    expect(updated.image).toBe('new');
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());

    await store.delete('ns', 'c1');
    await expect(store.get('ns', 'c1')).rejects.toThrow('container "c1" in namespace "ns"');
  });

  it('rejects what containerd rejects, with its messages', async () => {
    await store.create('ns', base);
    await expect(store.create('ns', base)).rejects.toMatchObject({ code: 'AlreadyExists', message: 'container "c1"' });
    await expect(store.create('ns', { ...base, id: 'bad id' })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(store.create('ns', { ...base, id: 'c3', runtime: { name: '' } })).rejects.toThrow('must specify a runtime name');
    const { spec: _spec, ...noSpec } = base;
    await expect(store.create('ns', { ...noSpec, id: 'c4' })).rejects.toThrow('container spec must not be nil');
    await expect(store.update('ns', { ...base, runtime: { name: 'other' } }, [])).rejects.toThrow('immutable');
    await expect(store.update('ns', base, ['runtime'])).rejects.toThrow('cannot update "runtime" field');
    await expect(store.delete('ns', 'nope')).rejects.toMatchObject({ code: 'NotFound' });
  });
});
