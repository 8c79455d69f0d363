import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { sha256Of } from './digest.js';
import { LocalStore } from './local-store.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('on-disk content store', () => {
  let dir: string;
  let store: LocalStore;
  const blobs = () => fs.readdirSync(path.join(dir, 'blobs', 'sha256'), { withFileTypes: true }).map((d) => d.name);

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-content-'));
    store = await LocalStore.open(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes to the ingest and renames into blobs/sha256/<hex> only after the digest verifies', async () => {
    const w = await store.writer('default/1/ref', 11);
    await w.write(Buffer.from('hello '));
    await w.write(Buffer.from('world'));
    const ingest = store.ingestDir('default/1/ref');
    expect(fs.readFileSync(path.join(ingest, 'ref'), 'utf8')).toBe('default/1/ref');
    expect(fs.readFileSync(path.join(ingest, 'total'), 'utf8')).toBe('11');
    expect(fs.readFileSync(path.join(ingest, 'startedat'), 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(fs.existsSync(path.join(dir, 'blobs', 'sha256'))).toBe(false);
    expect(w.digest()).toBe(sha256Of('hello world'));
    const digest = await w.commit(11, sha256Of('hello world'));
    expect(digest).toBe(sha256Of('hello world'));
    const file = store.blobPath(digest);
    expect(fs.readFileSync(file, 'utf8')).toBe('hello world');
    expect(fs.statSync(file).mode & 0o222).toBe(0); // read-only
    expect(fs.existsSync(ingest)).toBe(false);
    expect(store.locks.isLocked('default/1/ref')).toBe(false);
    const st = await store.stat(digest);
    expect(st.size).toBe(11);
  });

  it('refuses a wrong digest or size, keeps the ingest, and exposes no blob', async () => {
    const w = await store.writer('r', 0);
    await w.write(Buffer.from('hello'));
    const wrong = sha256Of('other');
    const err = await rejection(w.commit(0, wrong));
    expect(isBerthError(err, 'FailedPrecondition')).toBe(true);
    expect(err.message).toBe(`unexpected commit digest ${sha256Of('hello')}, expected ${wrong}`);
    expect(fs.existsSync(path.join(dir, 'blobs', 'sha256'))).toBe(false);
    expect((await store.status('r')).offset).toBe(5);
    expect(store.locks.isLocked('r')).toBe(false);

    const w2 = await store.writer('r', 0);
    const sizeErr = await rejection(w2.commit(4, ''));
    expect(sizeErr.message).toBe('unexpected commit size 5, expected 4');
    expect(fs.existsSync(path.join(dir, 'blobs', 'sha256'))).toBe(false);
  });

  it('resumes an ingest where it stopped, re-hashing what is there', async () => {
    const w = await store.writer('resume', 10);
    await w.write(Buffer.from('01234'));
    await w.close();
    const st = await store.status('resume');
    expect(st).toMatchObject({ ref: 'resume', offset: 5, total: 10 });
    const w2 = await store.writer('resume', 10);
    expect(w2.status().offset).toBe(5);
    expect(w2.status().startedAt.getTime()).toBe(st.startedAt.getTime());
    await w2.write(Buffer.from('56789'));
    expect(await w2.commit(10, sha256Of('0123456789'))).toBe(sha256Of('0123456789'));
  });

  it('restarts from zero on truncate', async () => {
    const w = await store.writer('t', 0);
    await w.write(Buffer.from('garbage'));
    await w.truncate(0);
    await w.write(Buffer.from('ok'));
    expect(await w.commit(2, sha256Of('ok'))).toBe(sha256Of('ok'));
  });

  it('locks a ref while it is written', async () => {
    const w = await store.writer('busy', 0);
    const err = await rejection(store.writer('busy', 0));
    expect(isBerthError(err, 'Unavailable')).toBe(true);
    expect(err.message).toMatch(/^ref busy locked for /);
    await w.close();
    await (await store.writer('busy', 0)).close();
  });

  it('answers AlreadyExists when the blob is there, and removes the ingest', async () => {
    for (const ref of ['a', 'b']) {
      const w = await store.writer(ref, 0);
      await w.write(Buffer.from('same'));
      if (ref === 'a') await w.commit(0, '');
      else expect(isBerthError(await rejection(w.commit(0, '')), 'AlreadyExists')).toBe(true);
    }
    expect(await store.ingestRefs()).toEqual([]);
    expect(blobs()).toEqual([sha256Of('same').slice(7)]);
  });

  it('aborts, deletes, walks, and says NotFound or InvalidArgument', async () => {
    const w = await store.writer('x', 0);
    await w.write(Buffer.from('abc'));
    await w.close();
    expect(await store.ingestRefs()).toEqual(['x']);
    await store.abort('x');
    expect(await store.ingestRefs()).toEqual([]);
    expect(isBerthError(await rejection(store.abort('x')), 'NotFound')).toBe(true);

    for (const data of ['one', 'two']) {
      const wr = await store.writer(data, 0);
      await wr.write(Buffer.from(data));
      await wr.commit(0, '');
    }
    const walked = [];
    for await (const b of store.walk()) walked.push(b.digest);
    expect(walked).toEqual([sha256Of('one'), sha256Of('two')].sort());
    await store.delete(sha256Of('one'));
    expect(isBerthError(await rejection(store.delete(sha256Of('one'))), 'NotFound')).toBe(true);
    const bad = await rejection(store.stat('sha256:abc'));
    expect(isBerthError(bad, 'InvalidArgument')).toBe(true);
    expect(bad.message).toBe('cannot calculate blob path from invalid digest: invalid checksum digest length');
    expect((await rejection(store.openBlob(sha256Of('one')))).message).toMatch(/^blob sha256:\w+ expected at /);
  });
});
