import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { alreadyExists, invalidArgument, unavailable } from '@berth/errors';
import { silentLogger } from '@berth/containerd/log';
import { EventQueue, type QueuedEvent } from './queue.js';

const any = (name: string) => create(AnySchema, { typeUrl: name });
const fast = { initialMs: 1, maxMs: 4 };

describe('EventQueue', () => {
  it('delivers in order with increasing sequence numbers, one at a time', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    const q = new EventQueue(async (e) => {
      expect(++inFlight).toBe(1);
      await new Promise((r) => setTimeout(r, 2));
      seen.push(`${e.seq}:${e.topic}`);
      inFlight--;
    }, silentLogger, fast);
    expect(q.publish('/tasks/create', any('a'))).toBe(1);
    expect(q.publish('/tasks/start', any('b'))).toBe(2);
    expect(q.publish('/tasks/exit', any('c'))).toBe(3);
    expect(await q.flush(1_000)).toBe(true);
    expect(seen).toEqual(['1:/tasks/create', '2:/tasks/start', '3:/tasks/exit']);
  });

  it('keeps an undeliverable event at the head and retries it until delivered', async () => {
    let down = true;
    const delivered: QueuedEvent[] = [];
    let attempts = 0;
    const q = new EventQueue(async (e) => {
      attempts++;
      if (down) throw unavailable('connection refused');
      delivered.push(e);
    }, silentLogger, fast);
    q.publish('/tasks/start', any('a'));
    q.publish('/tasks/exit', any('b'));
    expect(await q.flush(50)).toBe(false);
    expect(delivered).toEqual([]);
    expect(attempts).toBeGreaterThan(3);
    expect(q.size).toBe(2);
    down = false;
    expect(await q.flush(1_000)).toBe(true);
    expect(delivered.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('counts AlreadyExists as delivered and drops what the receiver rejects as malformed', async () => {
    const answers = [alreadyExists('seq 1 seen'), invalidArgument('bad topic')];
    const ok: number[] = [];
    const q = new EventQueue(async (e) => {
      const a = answers.shift();
      if (a) throw a;
      ok.push(e.seq);
    }, silentLogger, fast);
    for (const t of ['/a', '/b', '/c']) q.publish(t, any(t));
    expect(await q.flush(1_000)).toBe(true);
    expect(ok).toEqual([3]);
  });
});
