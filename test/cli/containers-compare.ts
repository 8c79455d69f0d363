/**
 * The container-command comparisons: one scenario is run by the real docker
 * CLI 28 and by berth against the same daemon (a real dockerd now, berthd
 * later: only its env and a scratch dir are needed), each side with its own
 * container names (same length, so table columns line up the same), and the
 * two results must be equal once ids, times and the program's own name are
 * masked.
 */
import { spawn } from 'node:child_process';
import type { CmdResult } from '../helpers/daemon.js';
import { runOnPty } from '../helpers/daemon.js';
import { dockerCli } from '../helpers/real-dockerd.js';
import { berthBin, cleanEnv } from './run-berth.js';

export type Side = 'dk' | 'bt';

/** The daemon under test: what clients need to reach it. */
export interface Target {
  env: NodeJS.ProcessEnv;
  dir: string;
}

export interface Scenario {
  /** The command line; `n(x)` gives this side's name for container x. */
  args: (n: (x: string) => string) => string[];
  input?: string;
  timeoutMs?: number;
  /** Extra normalisation for outputs that differ by nature (pids, sizes). */
  tidy?: (s: string) => string;
}

export const nameFor = (side: Side) => (x: string) => `${side}-${x}-${process.pid}`;

/** Runs a client with optional stdin, without blocking the event loop. */
export function runClient(bin: string, args: string[], env: NodeJS.ProcessEnv, input?: string, timeoutMs = 60_000): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    if (input !== undefined) child.stdin?.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export function clientEnv(t: Target): NodeJS.ProcessEnv {
  return cleanEnv({ DOCKER_HOST: t.env.DOCKER_HOST, DOCKER_CONFIG: t.env.DOCKER_CONFIG });
}

export function side(t: Target, s: Side, args: string[], input?: string, timeoutMs?: number): Promise<CmdResult> {
  return runClient(s === 'dk' ? dockerCli : berthBin, args, clientEnv(t), input, timeoutMs);
}

export function sideOnPty(t: Target, s: Side, args: string[]): CmdResult {
  return runOnPty([s === 'dk' ? dockerCli : berthBin, ...args], { env: clientEnv(t), timeoutMs: 60_000 });
}

/** What legitimately differs between the two runs. */
export function mask(text: string): string {
  return text
    .replace(/\b(dk|bt)-/g, 'X-')
    .replace(/\b[0-9a-f]{64}\b/g, '<id>')
    .replace(/\b[0-9a-f]{12}\b/g, '<short>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<ts>')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \w+/g, '<time>')
    .replace(/(Less than a second|About an? \w+|\d+ (second|minute|hour|day|week|month|year)s?) ago/g, '<ago>')
    .replace(/Up (Less than a second|About an? \w+|\d+ (second|minute|hour|day|week|month|year)s?)/g, 'Up <t>')
    .replace(/^docker: /gm, 'berth: ')
    .replace(/^Usage: {2}docker /gm, 'Usage:  berth ')
    .replace(/'docker ([\w -]+) --help'/g, "'berth $1 --help'");
}

export interface Compared {
  docker: CmdResult;
  berth: CmdResult;
}

/** Runs the scenario on both sides (docker first) and returns both masked results. */
export async function compare(t: Target, sc: Scenario): Promise<Compared> {
  const out: Partial<Record<Side, CmdResult>> = {};
  for (const s of ['dk', 'bt'] as const) {
    const r = await side(t, s, sc.args(nameFor(s)), sc.input, sc.timeoutMs);
    const tidy = (x: string) => (sc.tidy ? sc.tidy(mask(x)) : mask(x));
    out[s] = { status: r.status, stdout: tidy(r.stdout), stderr: tidy(r.stderr) };
  }
  return { docker: out.dk as CmdResult, berth: out.bt as CmdResult };
}
