/**
 * Healthchecks (HEALTHCHECK in the image, --health-* on run): while a
 * container runs, its test command is run in it as an exec (docker's
 * exec_create/exec_start/exec_die events come with it) every Interval (every
 * StartInterval during the start period), killed after Timeout. Exit 0 makes
 * the container healthy; any other result, or a timeout, adds to the failing
 * streak, and Retries failures in a row make it unhealthy (failures within
 * the start period do not count). State.Health keeps the status, the streak
 * and the last five probes; every change of status is a
 * `health_status: <status>` event. Durations are nanoseconds, as docker's.
 */
import { randomBytes } from 'node:crypto';
import type { Container } from './container.js';
import type { Engine } from './engine.js';
import { ExecInstance, startExec, type ExecStore } from './exec.js';
import { isRunning, type HealthState } from './model.js';
import { containerAttributes } from './event-attributes.js';
import { nowRfc3339Nano } from '../logs/time.js';

const second = 1_000_000_000;
const defaults = { Interval: 30 * second, Timeout: 30 * second, StartPeriod: 0, StartInterval: 5 * second, Retries: 3 };
/** docker keeps the first 4 KiB of a probe's output and the last five probes. */
const maxOutput = 4096;
const maxLog = 5;

interface HealthConfig {
  Test: string[];
  Interval: number;
  Timeout: number;
  StartPeriod: number;
  StartInterval: number;
  Retries: number;
}

/** The container's healthcheck, or undefined when it has none (no Test, or NONE). */
export function healthConfigOf(c: Container): HealthConfig | undefined {
  const h = (c.record.config.Healthcheck ?? {}) as Partial<Record<keyof HealthConfig, unknown>>;
  const test = Array.isArray(h.Test) ? h.Test.map(String) : [];
  if (test.length === 0 || test[0] === 'NONE') return undefined;
  const dur = (v: unknown, d: number) => (typeof v === 'number' && v > 0 ? v : d);
  return {
    Test: test,
    Interval: dur(h.Interval, defaults.Interval),
    Timeout: dur(h.Timeout, defaults.Timeout),
    StartPeriod: dur(h.StartPeriod, defaults.StartPeriod),
    StartInterval: dur(h.StartInterval, defaults.StartInterval),
    Retries: dur(h.Retries, defaults.Retries),
  };
}

/** CMD-SHELL runs through the container's shell (Config.Shell, else /bin/sh -c); CMD as given. */
function probeCommand(c: Container, test: string[]): string[] {
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest;
  const shell = c.record.config.Shell && c.record.config.Shell.length > 0 ? c.record.config.Shell : ['/bin/sh', '-c'];
  return [...shell, rest.join(' ')];
}

const timers = new Map<string, NodeJS.Timeout>();
let execStore: ExecStore | undefined;

/** The daemon's exec store: probes are execs (their exits arrive through it). */
export function useExecStore(store: ExecStore): void {
  execStore = store;
}

export function stopHealth(id: string): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
}

/** Starts probing a container that just started (or runs on after a daemon restart: `resume` keeps its status). */
export function startHealth(e: Engine, c: Container, resume = false): void {
  const cfg = healthConfigOf(c);
  stopHealth(c.id);
  if (!cfg) {
    delete c.record.state.Health;
    return;
  }
  if (!resume || !c.record.state.Health) c.record.state.Health = { Status: 'starting', FailingStreak: 0, Log: [] };
  schedule(e, c, cfg);
}

function inStartPeriod(c: Container, cfg: HealthConfig): boolean {
  return Date.now() - Date.parse(c.record.state.StartedAt) < cfg.StartPeriod / 1e6;
}

function schedule(e: Engine, c: Container, cfg: HealthConfig): void {
  const starting = c.record.state.Health?.Status === 'starting' && inStartPeriod(c, cfg);
  const waitNs = starting ? cfg.StartInterval : cfg.Interval;
  const timer = setTimeout(() => void probe(e, c, cfg).finally(() => {
    if (timers.get(c.id) === timer && isRunning(c.record.state)) schedule(e, c, cfg);
  }), waitNs / 1e6);
  timer.unref();
  timers.set(c.id, timer);
}

async function runProbe(e: Engine, c: Container, cfg: HealthConfig): Promise<{ exitCode: number; output: string }> {
  if (!execStore) return { exitCode: -1, output: 'no exec store' };
  const cmd = probeCommand(c, cfg.Test);
  const x = new ExecInstance(randomBytes(32).toString('hex'), c, {
    AttachStdin: false, AttachStdout: true, AttachStderr: true, DetachKeys: '', Tty: false, Env: [], Cmd: cmd,
    Privileged: false, User: '', WorkingDir: '', ConsoleSize: null,
  });
  execStore.add(x);
  e.events.publish('container', `exec_create: ${cmd.join(' ')}`, c.id, containerAttributes(c.record, { execID: x.id }));
  let out = Buffer.alloc(0);
  const collect = { data: (_k: 'stdout' | 'stderr', chunk: Buffer) => { if (out.length < maxOutput) out = Buffer.concat([out, chunk]).subarray(0, maxOutput); }, end: () => undefined };
  try {
    const failed = await startExec(e, x, false, false, collect);
    if (failed !== undefined) return { exitCode: x.exitCode ?? -1, output: failed };
    const timedOut = await Promise.race([x.exited().then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), cfg.Timeout / 1e6))]);
    if (timedOut) {
      await e.ctr.tasks.kill({ containerId: c.id, execId: x.id, signal: 9, all: false }).catch(() => undefined);
      return { exitCode: -1, output: `Health check exceeded timeout (${cfg.Timeout / second}s)` };
    }
    return { exitCode: x.exitCode ?? -1, output: out.toString('utf8') };
  } finally {
    execStore.dropExec(x.id);
  }
}

async function probe(e: Engine, c: Container, cfg: HealthConfig): Promise<void> {
  if (!isRunning(c.record.state) || c.record.state.Status === 'paused') return;
  const start = nowRfc3339Nano();
  const { exitCode, output } = await runProbe(e, c, cfg).catch((err: unknown) => ({ exitCode: -1, output: (err as Error).message }));
  const h: HealthState = c.record.state.Health ?? { Status: 'starting', FailingStreak: 0, Log: [] };
  h.Log = [...h.Log, { Start: start, End: nowRfc3339Nano(), ExitCode: exitCode, Output: output }].slice(-maxLog);
  const before = h.Status;
  if (exitCode === 0) {
    h.Status = 'healthy';
    h.FailingStreak = 0;
  } else if (!(h.Status === 'starting' && inStartPeriod(c, cfg))) {
    h.FailingStreak += 1;
    if (h.FailingStreak >= cfg.Retries) h.Status = 'unhealthy';
  }
  c.record.state.Health = h;
  if (!isRunning(c.record.state)) return;
  e.store.save(c);
  if (h.Status !== before) e.events.publish('container', `health_status: ${h.Status}`, c.id, containerAttributes(c.record));
}
