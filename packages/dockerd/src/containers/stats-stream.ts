/**
 * GET /containers/{id}/stats as moby serves it: a sample a second, each
 * carrying the previous one's CPU figures and read time (precpu_stats,
 * preread) so clients can compute a CPU percentage. stream=0 answers the
 * second sample (the first only primes precpu) unless one-shot asks for the
 * first; a container that is not running gets the zeroed object at once. A
 * stream goes on (zeroed while the container is stopped) until the client
 * leaves or the container is removed.
 */
import type { Container } from './container.js';
import type { Engine } from './engine.js';
import { sampleStats, zeroStats, type CpuStats, type StatsJson } from './stats.js';
import { zeroTime } from './model.js';

export interface StatsOptions {
  stream: boolean;
  oneShot: boolean;
}

export interface StatsSink {
  write(s: StatsJson): void;
  /** Resolves when the client has gone. */
  gone: Promise<void>;
}

const intervalMs = 1000;

export async function serveStats(e: Engine, c: Container, opts: StatsOptions, sink: StatsSink): Promise<void> {
  const sample = async () => (await sampleStats(e, c)) ?? zeroStats(c);
  if (!opts.stream) {
    const first = await sample();
    if (opts.oneShot || first.read === zeroTime) {
      sink.write(first);
      return;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
    const second = await sample();
    sink.write(second.read === zeroTime ? second : { ...second, precpu_stats: first.cpu_stats, preread: first.read });
    return;
  }
  let stop = false;
  let wake: (() => void) | undefined;
  const end = () => {
    stop = true;
    wake?.();
  };
  void sink.gone.then(end);
  let pre: { cpu: CpuStats; read: string } | undefined;
  // a removed container ends the stream (moby closes its publisher)
  while (!stop && e.store.find(c.id) === c) {
    const s = await sample();
    if (stop) break;
    sink.write(pre ? { ...s, precpu_stats: pre.cpu, preread: pre.read } : s);
    pre = { cpu: s.cpu_stats, read: s.read };
    await new Promise<void>((r) => {
      wake = r;
      setTimeout(r, intervalMs);
    });
  }
}
