import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { isBerthError } from '@berth/errors';
import { Content, WriteAction, type WriteContentResponse } from '../gen/containerd/services/content/v1/content_pb.js';
import { Exchange } from '../events/exchange.js';
import { connect, createClient } from '../grpc/client.js';
import { serveService } from '../grpc/serve.js';
import type { ClientOf, RequestInitOf } from '../grpc/types.js';
import { LeaseStore } from '../leases/store.js';
import { MetadataDB } from '../metadata/db.js';
import { sha256Of } from './digest.js';
import { LocalStore } from './local-store.js';
import { contentService } from './service.js';
import { ContentStore } from './store.js';

type WriteReq = RequestInitOf<(typeof Content)['method']['write']>;

/** One Write stream driven request by request, as containerd's remote writer drives it. */
function session(client: ClientOf<typeof Content>, options: { lease?: string; signal?: AbortSignal } = {}) {
  const queue: WriteReq[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const requests = (async function* () {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (done) return;
      await new Promise<void>((r) => (wake = r));
    }
  })();
  const responses = client
    .write(requests, { ...(options.lease ? { metadata: { 'containerd-lease': options.lease } } : {}), signal: options.signal })
    [Symbol.asyncIterator]();
  return {
    async send(r: WriteReq): Promise<WriteContentResponse> {
      queue.push(r);
      wake?.();
      const next = await responses.next();
      if (next.done) throw new Error('stream ended');
      return next.value;
    },
    end() {
      done = true;
      wake?.();
    },
  };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('content service over gRPC', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-csvc-'));
  const server = new grpc.Server();
  const events = new Exchange();
  let db: MetadataDB;
  let backend: LocalStore;
  let channel: grpc.Client;
  let client: ClientOf<typeof Content>;

  beforeAll(async () => {
    db = await MetadataDB.open(path.join(dir, 'meta'));
    backend = await LocalStore.open(path.join(dir, 'content'));
    serveService(server, Content, contentService(new ContentStore(db, backend), events));
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${dir}/c.sock`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
    );
    channel = connect(`${dir}/c.sock`);
    client = createClient(Content, channel, { namespace: 'default' });
  });

  afterAll(async () => {
    channel.close();
    server.forceShutdown();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes with STAT / WRITE / COMMIT, then reads back with offset and size', async () => {
    const data = Buffer.from('0123456789');
    const s = session(client);
    const stat = await s.send({ action: WriteAction.STAT, ref: 'w1', total: 10n, expected: sha256Of(data) });
    expect(stat).toMatchObject({ action: WriteAction.STAT, offset: 0n, total: 10n, digest: sha256Of('') });
    expect(stat.startedAt).toBeDefined();
    expect((await s.send({ action: WriteAction.WRITE, offset: 0n, data: data.subarray(0, 4) })).offset).toBe(4n);
    const bad = await rejection(s.send({ action: WriteAction.WRITE, offset: 7n, data: data.subarray(4) }));
    expect(isBerthError(bad, 'InvalidArgument')).toBe(true);
    expect(bad.message).toBe('write @7 must occur at current offset 4');

    // resume: a new stream finds the ingest at offset 4
    const r = session(client);
    expect((await r.send({ action: WriteAction.STAT, ref: 'w1', total: 10n })).offset).toBe(4n);
    const commit = await r.send({ action: WriteAction.COMMIT, offset: 4n, data: data.subarray(4), total: 10n, expected: sha256Of(data), labels: { a: 'b' } });
    expect(commit).toMatchObject({ action: WriteAction.COMMIT, offset: 10n, digest: sha256Of(data) });
    r.end();

    const info = await client.info({ digest: sha256Of(data) });
    expect(info.info).toMatchObject({ digest: sha256Of(data), size: 10n, labels: { a: 'b' } });
    const chunks = [];
    for await (const c of client.read({ digest: sha256Of(data), offset: 3n, size: 4n })) chunks.push(c);
    expect(chunks.map((c) => [c.offset, Buffer.from(c.data).toString()])).toEqual([[0n, '3456']]);
    let all = '';
    for await (const c of client.read({ digest: sha256Of(data) })) all += Buffer.from(c.data).toString();
    expect(all).toBe('0123456789');
    const past = await rejection((async () => {
      for await (const c of client.read({ digest: sha256Of(data), offset: 11n })) void c;
    })());
    expect(past.message).toBe('read past object length 10 bytes');
  });

  it('says AlreadyExists when the expected blob is there, and fails a wrong digest leaving no blob', async () => {
    const s = session(client);
    const exists = await rejection(s.send({ action: WriteAction.STAT, ref: 'again', expected: sha256Of('0123456789') }));
    expect(isBerthError(exists, 'AlreadyExists')).toBe(true);

    const w = session(client);
    await w.send({ action: WriteAction.STAT, ref: 'bad' });
    const wrong = sha256Of('something else');
    const err = await rejection(w.send({ action: WriteAction.COMMIT, offset: 0n, data: Buffer.from('hello'), expected: wrong }));
    expect(isBerthError(err, 'FailedPrecondition')).toBe(true);
    expect(err.message).toBe(`unexpected commit digest ${sha256Of('hello')}, expected ${wrong}`);
    expect(await backend.exists(sha256Of('hello'))).toBe(false);
    expect((await client.listStatuses({ filters: ['ref==bad'] })).statuses.map((x) => [x.ref, x.offset])).toEqual([['bad', 5n]]);
    await client.abort({ ref: 'bad' });
    expect((await client.listStatuses({})).statuses).toEqual([]);
  });

  it('answers Unavailable for a ref being written, and frees it when the writer goes away', async () => {
    const controller = new AbortController();
    const first = session(client, { signal: controller.signal });
    await first.send({ action: WriteAction.STAT, ref: 'busy' });
    const second = await rejection(session(client).send({ action: WriteAction.STAT, ref: 'busy' }));
    expect(isBerthError(second, 'Unavailable')).toBe(true);
    expect(second.message).toMatch(/^ref default\/1\/busy locked for .* \(since .*\)$/);
    controller.abort();
    for (let i = 0; i < 100 && backend.locks.isLocked('default/1/busy'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(backend.locks.isLocked('default/1/busy')).toBe(false);
    const third = session(client);
    expect((await third.send({ action: WriteAction.STAT, ref: 'busy' })).offset).toBe(0n);
    third.end();
    await client.abort({ ref: 'busy' }).catch(() => undefined);
  });

  it('ties the ingest and then the blob to the lease in "containerd-lease"', async () => {
    const leases = new LeaseStore(db);
    await leases.create('default', 'lease1', {});
    const s = session(client, { lease: 'lease1' });
    await s.send({ action: WriteAction.STAT, ref: 'leased' });
    expect(await leases.listResources('default', 'lease1')).toEqual([{ type: 'ingests', id: 'leased' }]);
    await s.send({ action: WriteAction.COMMIT, offset: 0n, data: Buffer.from('leased') });
    s.end();
    expect(await leases.listResources('default', 'lease1')).toEqual([{ type: 'content', id: sha256Of('leased') }]);
    const none = session(client, { lease: 'nope' });
    expect((await rejection(none.send({ action: WriteAction.STAT, ref: 'x' }))).message).toBe('lease does not exist');
  });

  it('lists in blocks of 100, labels, deletes with an event, and rejects malformed digests', async () => {
    for (let i = 0; i < 120; i++) {
      const s = session(client);
      await s.send({ action: WriteAction.STAT, ref: `many-${i}` });
      await s.send({ action: WriteAction.COMMIT, offset: 0n, data: Buffer.from(`blob ${i}`) });
      s.end();
    }
    const blocks = [];
    for await (const b of client.list({})) blocks.push(b.info.length);
    expect(blocks[0]).toBe(100);
    expect(blocks.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(120);
    const d = sha256Of('blob 7');
    const updated = await client.update({ info: { digest: d, labels: { k: 'v' } }, updateMask: { paths: ['labels.k'] } });
    expect(updated.info?.labels).toEqual({ k: 'v' });
    const filtered = [];
    for await (const b of client.list({ filters: ['labels.k==v'] })) filtered.push(...b.info.map((i) => i.digest));
    expect(filtered).toEqual([d]);

    const ac = new AbortController();
    const seen = events.subscribe(['topic=="/content/delete"'], ac.signal)[Symbol.asyncIterator]();
    await client.delete({ digest: d });
    const ev = await seen.next();
    ac.abort();
    expect(ev.value?.topic).toBe('/content/delete');
    const notFound = await rejection(client.info({ digest: d }));
    expect(isBerthError(notFound, 'NotFound')).toBe(true);
    expect(notFound.message).toBe(`content digest ${d}`);
    expect((await rejection(client.info({ digest: 'sha256:abc' }))).message).toBe('"sha256:abc" failed validation');
    expect((await rejection(client.delete({ digest: 'nope' }))).message).toBe('invalid checksum digest format');
    const noNs = await rejection(client.info({ digest: d }, { namespace: '' }));
    expect(isBerthError(noNs, 'FailedPrecondition')).toBe(true);
  });
});
