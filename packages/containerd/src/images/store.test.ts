import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { MetadataDB } from '../metadata/db.js';
import { NamespaceStore } from '../metadata/namespaces.js';
import { ImageStore, type Descriptor } from './store.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

const target = (c: string, annotations: Record<string, string> = {}): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${c.repeat(64)}`,
  size: 405,
  annotations,
});

describe('image store', () => {
  let dir: string;
  let db: MetadataDB;
  let store: ImageStore;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-images-'));
    db = await MetadataDB.open(path.join(dir, 'meta'));
    store = new ImageStore(db);
  });
  afterEach(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates, gets and lists in name order with containerd filters', async () => {
    const a = await store.create('ns', { name: 'docker.io/library/busybox:latest', labels: { k: 'v' }, target: target('a', { x: '1' }) });
    expect(a.createdAt.getTime()).toBe(a.updatedAt.getTime());
    await store.create('ns', { name: 'docker.io/library/alpine:3', labels: {}, target: target('b') });
    expect((await store.get('ns', 'docker.io/library/busybox:latest')).target).toEqual(target('a', { x: '1' }));
    expect((await store.list('ns')).map((i) => i.name)).toEqual(['docker.io/library/alpine:3', 'docker.io/library/busybox:latest']);
    const names = async (f: string) => (await store.list('ns', [f])).map((i) => i.name);
    expect(await names('name~=busybox')).toEqual(['docker.io/library/busybox:latest']);
    expect(await names(`target.digest==sha256:${'b'.repeat(64)}`)).toEqual(['docker.io/library/alpine:3']);
    expect(await names('labels.k==v')).toEqual(['docker.io/library/busybox:latest']);
    expect(await names('annotations.x')).toEqual(['docker.io/library/busybox:latest']);
    expect(await names('target.mediatype==application/vnd.oci.image.manifest.v1+json')).toHaveLength(2);
    expect((await new NamespaceStore(db).list()).map((n) => n.name)).toEqual(['ns']);
  });

  it('validates names and targets like containerd', async () => {
    const cases: Array<[Descriptor, string]> = [
      [{ ...target('a'), digest: 'sha256:abc' }, 'Target.Digest "sha256:abc" invalid: invalid checksum digest length'],
      [{ ...target('a'), size: 0 }, 'Target.Size must be greater than zero'],
      [{ ...target('a'), mediaType: '' }, 'Target.MediaType must be set'],
    ];
    for (const [t, message] of cases) {
      const err = await rejection(store.create('ns', { name: 'x', labels: {}, target: t }));
      expect(isBerthError(err, 'InvalidArgument')).toBe(true);
      expect(err.message).toBe(message);
    }
    expect((await rejection(store.create('ns', { name: '', labels: {}, target: target('a') }))).message).toBe('image name must not be empty');
    await store.create('ns', { name: 'x', labels: {}, target: target('a') });
    const dup = await rejection(store.create('ns', { name: 'x', labels: {}, target: target('a') }));
    expect(isBerthError(dup, 'AlreadyExists')).toBe(true);
    expect(dup.message).toBe('image "x"');
  });

  it('updates by field paths, keeping created_at', async () => {
    const created = await store.create('ns', { name: 'x', labels: { a: '1', b: '2' }, target: target('a', { keep: 'k' }) });
    const u1 = await store.update('ns', { name: 'x', labels: { c: '3' }, target: target('0') }, ['labels.c', 'labels.a']);
    expect(u1.labels).toEqual({ b: '2', c: '3' });
    expect(u1.target).toEqual(target('a', { keep: 'k' }));
    expect(u1.createdAt.getTime()).toBe(created.createdAt.getTime());
    const u2 = await store.update('ns', { name: 'x', labels: {}, target: target('c') }, ['target']);
    expect(u2.target.digest).toBe(target('c').digest);
    expect(u2.labels).toEqual({ b: '2', c: '3' });
    const u3 = await store.update('ns', { name: 'x', labels: {}, target: target('c', { n: 'v' }) }, ['annotations.n']);
    expect(u3.target.annotations).toEqual({ n: 'v' });
    const u4 = await store.update('ns', { name: 'x', labels: { only: 'me' }, target: target('d') }, []);
    expect(u4).toMatchObject({ labels: { only: 'me' }, target: target('d') });
    const bad = await rejection(store.update('ns', { name: 'x', labels: {}, target: target('d') }, ['name']));
    expect(bad.message).toBe('cannot update "name" field on image "x"');
    const missing = await rejection(store.update('ns', { name: 'y', labels: {}, target: target('d') }, ['labels']));
    expect(isBerthError(missing, 'NotFound')).toBe(true);
    expect(missing.message).toBe('image "y"');
  });

  it('deletes and tells the collector', async () => {
    const changes: boolean[] = [];
    store = new ImageStore(db, (deleted) => changes.push(deleted));
    await store.create('ns', { name: 'x', labels: {}, target: target('a') });
    await store.delete('ns', 'x');
    expect(isBerthError(await rejection(store.delete('ns', 'x')), 'NotFound')).toBe(true);
    expect(isBerthError(await rejection(store.get('ns', 'x')), 'NotFound')).toBe(true);
    expect(changes).toEqual([false, true]);
  });
});
