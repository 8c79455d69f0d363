import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { LeaseStore } from '../leases/store.js';
import { MetadataDB } from '../metadata/db.js';
import { NamespaceStore } from '../metadata/namespaces.js';
import { sha256Of } from './digest.js';
import { LocalStore } from './local-store.js';
import { ContentStore } from './store.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('namespaced content store', () => {
  let dir: string;
  let db: MetadataDB;
  let backend: LocalStore;
  let store: ContentStore;
  let deletions: number;

  const put = async (ns: string, ref: string, data: string, labels: Record<string, string> = {}, lease?: string) => {
    const w = await store.writer(ns, { ref, total: data.length, expected: sha256Of(data) }, lease);
    // as a client does: send only what the writer does not have yet (nothing, when shared)
    await w.write(Buffer.from(data).subarray(w.status().offset));
    await w.commit(data.length, sha256Of(data), labels);
    return sha256Of(data);
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cs-'));
    db = await MetadataDB.open(path.join(dir, 'meta'));
    backend = await LocalStore.open(path.join(dir, 'content'));
    deletions = 0;
    store = new ContentStore(db, backend, (deleted) => (deletions += deleted ? 1 : 0));
  });
  afterEach(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makes a committed blob visible in its namespace only, with labels and times', async () => {
    const d = await put('a', 'ref1', 'hello', { x: 'y', empty: '' });
    const info = await store.info('a', d);
    expect(info).toMatchObject({ digest: d, size: 5, labels: { x: 'y' } });
    expect(info.createdAt.getTime()).toBe(info.updatedAt.getTime());
    const err = await rejection(store.info('b', d));
    expect(isBerthError(err, 'NotFound')).toBe(true);
    expect(err.message).toBe(`content digest ${d}`);
    expect((await store.list('a')).map((i) => i.digest)).toEqual([d]);
    expect(await store.list('b')).toEqual([]);
    // the namespace came into being with the blob, and cannot go while it holds one
    const ns = new NamespaceStore(db);
    expect((await ns.list()).map((n) => n.name)).toEqual(['a']);
    expect((await rejection(ns.delete('a'))).message).toBe('namespace "a" must be empty, but it still has blobs');
  });

  it('links a blob already on disk into another namespace without its bytes (shared policy)', async () => {
    const d = await put('a', 'r', 'shared bytes');
    const w = await store.writer('b', { ref: 'r2', total: 0, expected: d });
    expect(w.status()).toMatchObject({ ref: 'r2', offset: 12, total: 12, expected: d });
    expect(w.digest()).toBe(d);
    await w.commit(12, d);
    expect((await store.info('b', d)).size).toBe(12);
    // writing to such an ingest unshares it: the existing bytes are copied first
    const d2 = await put('a', 'r3', 'abc');
    const w2 = await store.writer('c', { ref: 'r4', total: 3, expected: d2 });
    await w2.write(Buffer.from('def'));
    await w2.commit(0, sha256Of('abcdef'));
    expect((await store.info('c', sha256Of('abcdef'))).size).toBe(6);
  });

  it('answers AlreadyExists for a blob the namespace has, and ties it to the lease', async () => {
    const leases = new LeaseStore(db);
    await leases.create('a', 'l1', {});
    const d = await put('a', 'r', 'data');
    const err = await rejection(store.writer('a', { ref: 'r9', total: 0, expected: d }, 'l1'));
    expect(isBerthError(err, 'AlreadyExists')).toBe(true);
    expect(err.message).toBe(`content ${d}`);
    expect(await leases.listResources('a', 'l1')).toEqual([{ type: 'content', id: d }]);
    const missing = await rejection(store.writer('a', { ref: 'r9', total: 0, expected: '' }, 'nolease'));
    expect(missing.message).toBe('lease does not exist');
  });

  it('moves the lease from the ingest to the blob on commit', async () => {
    const leases = new LeaseStore(db);
    await leases.create('a', 'l1', {});
    const w = await store.writer('a', { ref: 'r', total: 0, expected: '' }, 'l1');
    expect(await leases.listResources('a', 'l1')).toEqual([{ type: 'ingests', id: 'r' }]);
    await w.write(Buffer.from('x'));
    await w.commit(0, '');
    expect(await leases.listResources('a', 'l1')).toEqual([{ type: 'content', id: sha256Of('x') }]);
  });

  it('reports, lists (filter on ref) and aborts ingests', async () => {
    const w = await store.writer('a', { ref: 'one', total: 10, expected: '' });
    await w.write(Buffer.from('1234'));
    await w.close();
    await (await store.writer('a', { ref: 'two', total: 0, expected: '' })).close();
    expect(await store.status('a', 'one')).toMatchObject({ ref: 'one', offset: 4, total: 10 });
    expect((await store.listStatuses('a')).map((s) => s.ref)).toEqual(['one', 'two']);
    expect((await store.listStatuses('a', ['ref==two'])).map((s) => s.ref)).toEqual(['two']);
    expect((await rejection(store.status('b', 'one'))).message).toBe('reference one');
    await store.abort('a', 'one');
    expect(isBerthError(await rejection(store.status('a', 'one')), 'NotFound')).toBe(true);
    expect(await backend.ingestRefs()).toEqual(['a/1/two']);
    expect((await rejection(store.abort('a', 'one'))).message).toBe('reference one');
  });

  it('updates labels with containerd field paths and filters on them', async () => {
    const d = await put('a', 'r', 'x', { keep: '1', drop: '2' });
    expect((await store.update('a', d, { new: 'v' }, ['labels.new', 'labels.drop'])).labels).toEqual({ keep: '1', new: 'v' });
    expect((await store.update('a', d, { only: 'this' }, ['labels'])).labels).toEqual({ only: 'this' });
    expect((await store.update('a', d, { all: 'gone' }, [])).labels).toEqual({ all: 'gone' });
    const err = await rejection(store.update('a', d, {}, ['size']));
    expect(err.message).toBe(`cannot update "size" field on content info "${d}"`);
    const e2 = await put('a', 'r2', 'y', { all: 'other' });
    expect((await store.list('a', ['labels.all==gone'])).map((i) => i.digest)).toEqual([d]);
    expect((await store.list('a', ['labels.all'])).length).toBe(2);
    expect((await store.list('a', [`digest==${e2}`])).map((i) => i.digest)).toEqual([e2]);
    expect(isBerthError(await rejection(store.list('a', ['labels.all=='])), 'InvalidArgument')).toBe(true);
  });

  it('deletes from the namespace; the disk sweep removes bytes no namespace refers to', async () => {
    const d = await put('a', 'r', 'bytes');
    await put('b', 'r', 'bytes');
    const stray = await backend.writer('stray/1/x', 0);
    await stray.close();
    await store.delete('a', d);
    expect(deletions).toBe(1);
    expect(isBerthError(await rejection(store.delete('a', d)), 'NotFound')).toBe(true);
    expect(await store.sweepDisk()).toEqual({ blobs: 0, ingests: 1 });
    expect(await backend.exists(d)).toBe(true);
    await store.delete('b', d);
    expect(await store.sweepDisk()).toEqual({ blobs: 1, ingests: 0 });
    expect(await backend.exists(d)).toBe(false);
  });

  it('fails a wrong digest with FailedPrecondition and leaves no blob', async () => {
    const w = await store.writer('a', { ref: 'bad', total: 0, expected: '' });
    await w.write(Buffer.from('hello'));
    const wrong = sha256Of('nope');
    const err = await rejection(w.commit(0, wrong));
    expect(isBerthError(err, 'FailedPrecondition')).toBe(true);
    expect(err.message).toBe(`unexpected commit digest ${sha256Of('hello')}, expected ${wrong}`);
    expect(await store.list('a')).toEqual([]);
    expect(await backend.exists(sha256Of('hello'))).toBe(false);
    const sizeErr = await rejection((await store.writer('a', { ref: 'bad', total: 0, expected: '' })).commit(3, ''));
    expect(sizeErr.message).toBe('"bad" failed size validation: 5 != 3');
  });
});
