import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, createFileRegistry, type DescMessage, type DescService } from '@bufbuild/protobuf';
import type { GenService } from '@bufbuild/protobuf/codegenv2';
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import { BerthError, isBerthError, notFound } from '@berth/errors';
import { NamespaceCreateSchema } from '../gen/containerd/events/namespace_pb.js';
import { Content, WriteAction } from '../gen/containerd/services/content/v1/content_pb.js';
import { Events } from '../gen/containerd/services/events/v1/events_pb.js';
import { Namespaces } from '../gen/containerd/services/namespaces/v1/namespace_pb.js';
import { Exchange } from '../events/exchange.js';
import { eventsService } from '../services/events.js';
import { connect, createClient } from './client.js';
import { serveService } from './serve.js';

// A service with a client-streaming method, which containerd's API does not have.
const sumFile = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'berth/test/sum.proto',
    package: 'berth.test',
    syntax: 'proto3',
    messageType: [
      {
        name: 'Num',
        field: [{ name: 'n', number: 1, type: FieldDescriptorProto_Type.INT64, label: FieldDescriptorProto_Label.OPTIONAL, jsonName: 'n' }],
      },
    ],
    service: [{ name: 'Sum', method: [{ name: 'Add', inputType: '.berth.test.Num', outputType: '.berth.test.Num', clientStreaming: true }] }],
  }),
  () => undefined,
);
type SumMethods = { add: { methodKind: 'client_streaming'; input: DescMessage; output: DescMessage } };
const Sum = sumFile.getService('berth.test.Sum') as DescService as GenService<SumMethods>;

const chunk = 1 << 20;
const chunks = 48;

describe('gRPC adapter (generated descriptors <-> grpc-js)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-grpc-'));
  const sock = path.join(dir, 'test.sock');
  const server = new grpc.Server();
  const exchange = new Exchange();
  let channel: grpc.Client;

  beforeAll(async () => {
    serveService(server, Namespaces, {
      create(req, ctx) {
        const ns = ctx.namespace();
        if (req.namespace?.name === 'boom') throw new Error('disk on fire');
        return { namespace: { name: `${ns}/${req.namespace?.name}`, labels: req.namespace?.labels ?? {} } };
      },
      get(req) {
        throw notFound(`namespace "${req.name}"`);
      },
      // List, Update and Delete are not served
    });
    serveService(server, Content, {
      async *read(req) {
        if (req.digest === 'bad') {
          yield { offset: 0n, data: new Uint8Array(3) };
          throw notFound(`content digest ${req.digest}`);
        }
        for (let i = 0; i < chunks; i++) yield { offset: BigInt(i * chunk), data: new Uint8Array(chunk).fill(i) };
      },
      async *write(requests) {
        let offset = 0n;
        for await (const r of requests) {
          offset += BigInt(r.data.length);
          yield { action: r.action, offset, digest: r.ref };
        }
      },
    });
    serveService(server, Events, eventsService(exchange));
    serveService(server, Sum, {
      async add(requests) {
        let n = 0n;
        for await (const r of requests) n += (r as unknown as { n: bigint }).n;
        return create(Sum.method.add.output, { n } as never);
      },
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${sock}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
    );
    channel = connect(sock);
  });

  afterAll(() => {
    channel.close();
    server.forceShutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves unary calls with the namespace from metadata', async () => {
    const ns = createClient(Namespaces, channel, { namespace: 'default' });
    const res = await ns.create({ namespace: { name: 'foo', labels: { a: 'b' } } });
    expect(res.namespace).toMatchObject({ name: 'default/foo', labels: { a: 'b' } });
    expect((await ns.create({ namespace: { name: 'x' } }, { namespace: 'other' })).namespace?.name).toBe('other/x');
  });

  it('requires a namespace like containerd: missing -> FailedPrecondition, malformed -> InvalidArgument', async () => {
    const ns = createClient(Namespaces, channel);
    const missing = await ns.create({ namespace: { name: 'foo' } }).catch((e: unknown) => e);
    expect(isBerthError(missing, 'FailedPrecondition')).toBe(true);
    expect((missing as Error).message).toBe('namespace is required');
    expect(((missing as BerthError).cause as grpc.ServiceError).details).toBe('namespace is required: failed precondition');
    const bad = await ns.create({ namespace: { name: 'foo' } }, { namespace: 'bad!' }).catch((e: unknown) => e);
    expect(isBerthError(bad, 'InvalidArgument')).toBe(true);
    expect((bad as Error).message).toMatch(/^namespace validation: identifier "bad!" must match/);
  });

  it('maps BerthErrors to status codes with containerd suffixes, others to INTERNAL', async () => {
    const ns = createClient(Namespaces, channel, { namespace: 'default' });
    const nf = await ns.get({ name: 'nothere' }).catch((e: unknown) => e);
    expect(isBerthError(nf, 'NotFound')).toBe(true);
    expect((nf as Error).message).toBe('namespace "nothere"');
    const raw = (nf as BerthError).cause as grpc.ServiceError;
    expect(raw.code).toBe(grpc.status.NOT_FOUND);
    expect(raw.details).toBe('namespace "nothere": not found');
    const boom = await ns.create({ namespace: { name: 'boom' } }).catch((e: unknown) => e);
    expect(((boom as BerthError).cause as grpc.ServiceError).code).toBe(grpc.status.INTERNAL);
    expect((boom as Error).message).toBe('disk on fire');
  });

  it('answers UNIMPLEMENTED for methods without a handler, like grpc-go', async () => {
    const ns = createClient(Namespaces, channel, { namespace: 'default' });
    const err = await ns.delete({ name: 'x' }).catch((e: unknown) => e);
    expect(isBerthError(err, 'NotImplemented')).toBe(true);
    expect(((err as BerthError).cause as grpc.ServiceError).code).toBe(grpc.status.UNIMPLEMENTED);
    expect((err as Error).message).toBe('method Delete not implemented');
    const content = createClient(Content, channel);
    const err2 = await content.info({ digest: 'x' }).catch((e: unknown) => e);
    expect(isBerthError(err2, 'NotImplemented')).toBe(true);
  });

  it('streams server responses in order with flow control, and ends with an error status', async () => {
    const content = createClient(Content, channel, { namespace: 'default' });
    let n = 0;
    for await (const r of content.read({ digest: 'sha256:x' })) {
      expect(r.offset).toBe(BigInt(n * chunk));
      expect(r.data.length).toBe(chunk);
      expect(r.data[0]).toBe(n);
      n++;
    }
    expect(n).toBe(chunks);
    const seen: number[] = [];
    const err = await (async () => {
      for await (const r of content.read({ digest: 'bad' })) seen.push(r.data.length);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([3]);
    expect(isBerthError(err, 'NotFound')).toBe(true);
    expect((err as Error).message).toBe('content digest bad');
  });

  it('serves bidirectional streams', async () => {
    const content = createClient(Content, channel);
    async function* requests() {
      yield { action: WriteAction.STAT, ref: 'r1' };
      yield { action: WriteAction.WRITE, ref: 'r1', data: new Uint8Array(10) };
      yield { action: WriteAction.WRITE, ref: 'r1', data: new Uint8Array(5) };
    }
    const offsets: bigint[] = [];
    for await (const r of content.write(requests())) offsets.push(r.offset);
    expect(offsets).toEqual([0n, 10n, 15n]);
  });

  it('serves client streams', async () => {
    const sum = createClient(Sum, channel);
    async function* nums() {
      for (let i = 1n; i <= 100n; i++) yield { n: i } as never;
    }
    const res = (await sum.add(nums())) as unknown as { n: bigint };
    expect(res.n).toBe(5050n);
  });

  it('aborts a streaming handler when the client cancels', async () => {
    const events = createClient(Events, channel);
    const ac = new AbortController();
    const received: string[] = [];
    const done = (async () => {
      for await (const e of events.subscribe({ filters: ['topic~=^/namespaces/'] }, { signal: ac.signal })) {
        received.push(e.topic);
        ac.abort();
      }
    })().catch((e: unknown) => e);
    while (exchange.subscriberCount === 0) await new Promise((r) => setTimeout(r, 5));
    exchange.publish('default', '/tasks/start', NamespaceCreateSchema, { name: 'ignored' });
    exchange.publish('default', '/namespaces/create', NamespaceCreateSchema, { name: 'x' });
    const err = await done;
    expect(received).toEqual(['/namespaces/create']);
    expect(isBerthError(err, 'Unavailable')).toBe(true); // CANCELLED on the client side
    for (let i = 0; i < 100 && exchange.subscriberCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(exchange.subscriberCount).toBe(0);
  });
});
