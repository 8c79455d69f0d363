import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { NamespaceCreateSchema } from '../gen/containerd/events/namespace_pb.js';
import { TaskExitSchema } from '../gen/containerd/events/task_pb.js';
import type { Envelope } from '../gen/containerd/services/events/v1/events_pb.js';
import { Exchange } from './exchange.js';

async function take(it: AsyncIterable<Envelope>, n: number): Promise<Envelope[]> {
  const out: Envelope[] = [];
  if (n === 0) return out;
  for await (const e of it) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

describe('event exchange', () => {
  it('delivers in order, with containerd type URLs, filtered by topic, namespace and event fields', async () => {
    const ex = new Exchange();
    const ac = new AbortController();
    const all = ex.subscribe([], ac.signal);
    const exits = ex.subscribe(['topic=="/tasks/exit",event.container_id==c1'], ac.signal);
    const nsFoo = ex.subscribe(['namespace==foo', 'event.labels.a==b'], ac.signal);

    ex.publish('default', '/namespaces/create', NamespaceCreateSchema, { name: 'x', labels: { a: 'b' } });
    ex.publish('foo', '/tasks/exit', TaskExitSchema, { containerId: 'c2', exitStatus: 7 });
    ex.publish('foo', '/tasks/exit', TaskExitSchema, { containerId: 'c1', exitStatus: 0 });

    const got = await take(all, 3);
    expect(got.map((e) => e.topic)).toEqual(['/namespaces/create', '/tasks/exit', '/tasks/exit']);
    expect(got[0]?.event?.typeUrl).toBe('containerd.events.NamespaceCreate');
    expect(got[0]?.namespace).toBe('default');
    expect(got[0]?.timestamp).toBeDefined();
    expect((await take(exits, 1)).map((e) => e.namespace)).toEqual(['foo']);
    expect((await take(nsFoo, 3)).map((e) => `${e.namespace}${e.topic}`)).toEqual([
      'default/namespaces/create',
      'foo/tasks/exit',
      'foo/tasks/exit',
    ]);
    ac.abort();
    expect(await take(all, 1)).toEqual([]);
  });

  it('validates topics, namespaces and filters like containerd', () => {
    const ex = new Exchange();
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err as Error;
      }
      return undefined;
    };
    const e1 = bad(() => ex.publish('default', 'tasks/exit', TaskExitSchema, {}));
    expect(isBerthError(e1, 'InvalidArgument')).toBe(true);
    expect(e1?.message).toBe(`envelope topic "tasks/exit": must start with '/'`);
    expect(bad(() => ex.publish('default', '/', TaskExitSchema, {}))?.message).toBe(
      'envelope topic "/": must have at least one component',
    );
    expect(bad(() => ex.publish('default', '/tasks//exit', TaskExitSchema, {}))?.message).toContain(
      'failed validation on component ""',
    );
    expect(isBerthError(bad(() => ex.publish('bad!', '/x', TaskExitSchema, {})), 'InvalidArgument')).toBe(true);
    expect(isBerthError(bad(() => ex.subscribe(['topic=='], new AbortController().signal)), 'InvalidArgument')).toBe(true);
  });
});
