/**
 * The busybox image the project builds (scripts/make-busybox-image.sh from
 * Debian's busybox-static) loaded into a daemon as busybox:latest through its
 * docker CLI: what most berthd tests start from.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { runCmd, type CmdResult } from '../helpers/daemon.js';
import { busyboxRootfs, repoRoot } from '../helpers/paths.js';
import { startBerthd, type Berthd } from './berthd.js';

export function loadBusyboxImage(d: { dir: string; docker(args: string[], timeoutMs?: number): CmdResult }): void {
  const tar = path.join(d.dir, 'busybox.tar');
  const made = runCmd('bash', [path.join(repoRoot, 'scripts/make-busybox-image.sh'), busyboxRootfs, tar]);
  if (made.status !== 0) throw new Error(`make-busybox-image.sh: ${made.stderr}`);
  const load = d.docker(['load', '-i', tar], 120_000);
  if (load.status !== 0 || load.stdout.trim() !== 'Loaded image: busybox:latest') throw new Error(`docker load: ${load.stderr}${load.stdout}`);
}

/** A berthd with busybox:latest for one describe block, and the docker CLI helpers its tests share. */
export interface BerthdSuite {
  /** The running berthd (between the block's beforeAll and afterAll). */
  readonly d: Berthd;
  docker(...args: string[]): CmdResult;
  /** The command must succeed; its stdout. */
  ok(...args: string[]): string;
  /** `docker inspect -f format ref`, trimmed. */
  inspect(ref: string, format: string): string;
}

export function berthdWithBusybox(): BerthdSuite {
  let started: Berthd | undefined;
  beforeAll(async () => {
    started = await startBerthd();
    loadBusyboxImage(started);
  }, 120_000);
  afterAll(async () => {
    await started?.stop();
  }, 120_000);
  const d = (): Berthd => {
    if (!started) throw new Error('berthd is not running (outside the describe block?)');
    return started;
  };
  const docker = (...args: string[]) => d().docker(args, 60_000);
  const ok = (...args: string[]) => {
    const r = docker(...args);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  return { get d() { return d(); }, docker, ok, inspect: (ref, format) => ok('inspect', '-f', format, ref).trim() };
}
