/**
 * Starting a container with our stdio attached, in docker's order: attach
 * (hijack) first so no output is lost, then POST /wait (next-exit, or
 * removed with --rm) so the exit is not missed, then POST /start; the
 * terminal follows the container's size with a TTY, and signals are
 * forwarded without one (--sig-proxy). The result is the container's exit
 * status.
 */
import type { ApiClient } from '../client/api.js';
import { hijack } from '../client/hijack.js';
import { openStream } from '../client/stream.js';
import { enc } from './container-common.js';
import { followTerminalSize, startSession, type Session } from './container-io.js';

export interface AttachPlan {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  sigProxy: boolean;
  autoRemove: boolean;
  detachKeys?: string | undefined;
}

/** Failing to start: the error, with the terminal already put back. */
export class StartError extends Error {}

const proxied: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** The pending POST /wait: its status when it answers; `cancel` drops it (after a detach). */
export interface PendingWait {
  (): Promise<number>;
  cancel(): void;
}

export async function waitResult(api: ApiClient, id: string, condition: string): Promise<PendingWait> {
  const res = await openStream(api, `/containers/${enc(id)}/wait?condition=${condition}`, { method: 'POST' });
  const body = new Promise<string>((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (s: string) => (text += s));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
  // cancelled waits fail quietly
  body.catch(() => undefined);
  const result = async (): Promise<number> => {
    const parsed = JSON.parse((await body) || '{}') as { StatusCode?: number; Error?: { Message?: string } | null };
    if (parsed.Error?.Message) {
      process.stderr.write(`Error waiting for container: ${parsed.Error.Message}\n`);
      return 125;
    }
    return parsed.StatusCode ?? 0;
  };
  return Object.assign(result, { cancel: () => res.destroy() });
}

export function attachQuery(p: { stdin: boolean; stdout: boolean; stderr: boolean; detachKeys?: string | undefined }, logs = false): string {
  const q = new URLSearchParams({ stream: '1' });
  if (logs) q.set('logs', '1');
  if (p.stdin) q.set('stdin', '1');
  if (p.stdout) q.set('stdout', '1');
  if (p.stderr) q.set('stderr', '1');
  if (p.detachKeys) q.set('detachKeys', p.detachKeys);
  return q.toString();
}

/** Forwards our signals to the container as POST /kill?signal=. */
export function proxySignals(api: ApiClient, id: string): () => void {
  const handlers = proxied.map((sig) => {
    const h = (): void => void api.send(`/containers/${enc(id)}/kill?signal=${sig}`, { method: 'POST' }).catch(() => undefined);
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

export async function runAttached(api: ApiClient, id: string, plan: AttachPlan): Promise<number> {
  let session: Session | undefined;
  if (plan.stdin || plan.stdout || plan.stderr) {
    const conn = await hijack(api, `/containers/${enc(id)}/attach?${attachQuery(plan)}`);
    session = startSession(conn, plan);
  }
  const exitStatus = await waitResult(api, id, plan.autoRemove ? 'removed' : 'next-exit');
  // signals are forwarded from before the start, as docker does: one that comes while
  // the start's answer is on its way must reach the container, not end this process
  const stopSignals = plan.sigProxy && !plan.tty ? proxySignals(api, id) : () => undefined;
  try {
    await api.send(`/containers/${enc(id)}/start`, { method: 'POST' });
  } catch (err) {
    stopSignals();
    session?.restore();
    throw new StartError((err as Error).message);
  }
  const stopResize = plan.tty ? followTerminalSize(api, `/containers/${enc(id)}/resize`) : () => undefined;
  try {
    if ((await session?.done) === 'detached') {
      exitStatus.cancel();
      return 0;
    }
    return await exitStatus();
  } finally {
    stopResize();
    stopSignals();
    session?.restore();
  }
}

/** docker's toStatusError: 127 when the command is not there, 126 when it cannot be run, else 125. */
export function startFailureStatus(msg: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(msg)) return 127;
  if (/permission denied|is a directory/.test(msg)) return 126;
  return 125;
}
