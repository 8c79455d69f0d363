import { create } from '@bufbuild/protobuf';
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { TaskExitSchema } from '../gen/containerd/events/task_pb.js';
import { PublishRequestSchema, type Envelope } from '../gen/containerd/services/events/v1/events_pb.js';
import { Exchange } from '../events/exchange.js';
import { ShimEventDedup } from '../events/shim-dedup.js';
import type { CallContext } from '../grpc/types.js';
import { silentLogger } from '../log.js';
import { packAny } from '../typeurl.js';
import { eventsService } from './events.js';

function ctx(namespace: string, headers: Record<string, string>): CallContext {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
  return { path: '/Publish', metadata, signal: new AbortController().signal, log: silentLogger, namespace: () => namespace };
}

const exit = (containerId: string) =>
  create(PublishRequestSchema, { topic: '/tasks/exit', event: packAny(TaskExitSchema, { containerId, id: containerId, exitStatus: 7 }) });

async function publish(svc: ReturnType<typeof eventsService>, ns: string, cid: string, headers: Record<string, string>): Promise<string> {
  try {
    await svc.publish!(exit(cid), ctx(ns, headers));
    return 'ok';
  } catch (err) {
    return isBerthError(err) ? err.code : String(err);
  }
}

describe('events Publish from shims', () => {
  it('answers AlreadyExists for a repeated (namespace, container, instance, seq) and delivers it once', async () => {
    const ex = new Exchange();
    const ac = new AbortController();
    const got: Envelope[] = [];
    void (async () => {
      for await (const e of ex.subscribe([], ac.signal)) got.push(e);
    })();
    const svc = eventsService(ex);
    const h = (instance: string, seq: number) => ({ 'berth-shim-instance': instance, 'berth-shim-seq': String(seq) });
    expect(await publish(svc, 'ns', 'c1', h('10-1', 1))).toBe('ok');
    expect(await publish(svc, 'ns', 'c1', h('10-1', 1))).toBe('AlreadyExists'); // retry, first answer lost
    expect(await publish(svc, 'ns', 'c1', h('10-1', 2))).toBe('ok');
    expect(await publish(svc, 'ns', 'c1', h('10-1', 1))).toBe('AlreadyExists'); // older than the highest
    expect(await publish(svc, 'ns', 'c1', h('11-1', 1))).toBe('ok'); // another shim instance
    expect(await publish(svc, 'other', 'c1', h('10-1', 1))).toBe('ok'); // another namespace
    expect(await publish(svc, 'ns', 'c2', h('10-1', 1))).toBe('ok'); // another container
    expect(await publish(svc, 'ns', 'c1', {})).toBe('ok'); // not from a shim: never deduplicated
    expect(await publish(svc, 'ns', 'c1', {})).toBe('ok');
    await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    expect(got).toHaveLength(7);
  });

  it('does not record an event the exchange rejected', async () => {
    const svc = eventsService(new Exchange());
    const bad = create(PublishRequestSchema, { topic: 'no-slash', event: packAny(TaskExitSchema, { containerId: 'c' }) });
    const headers = { 'berth-shim-instance': '1-1', 'berth-shim-seq': '1' };
    expect(() => svc.publish!(bad, ctx('ns', headers))).toThrow(/must start with/);
    expect(await publish(svc, 'ns', 'c', headers)).toBe('ok');
  });

  it('keeps bounded memory: the least recently heard instances are forgotten', () => {
    const dedup = new ShimEventDedup(3);
    for (let i = 0; i < 10; i++) dedup.record('ns', `c${i}`, { instance: `${i}-0`, seq: 1 });
    expect(dedup.size).toBe(3);
    expect(dedup.seen('ns', 'c9', { instance: '9-0', seq: 1 })).toBe(true);
    expect(dedup.seen('ns', 'c0', { instance: '0-0', seq: 1 })).toBe(false);
  });
});
