/** Global options shared by every command, and the runtime context built from them. */
import type { Command } from 'commander';
import { runtimeContext, type RuntimeContext } from '../container/context.js';
import { DEFAULT_ROOT } from '../state/store.js';
import { RuncLogger } from './output.js';

export interface GlobalOptions {
  root: string;
  log?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
  systemdCgroup: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  let top: Command = cmd;
  while (top.parent) top = top.parent;
  const o = top.opts<{ root?: string; log?: string; logFormat?: string; debug?: boolean; systemdCgroup?: boolean }>();
  return {
    root: o.root ?? DEFAULT_ROOT,
    log: o.log,
    logFormat: o.logFormat === 'json' ? 'json' : 'text',
    debug: o.debug === true,
    systemdCgroup: o.systemdCgroup === true,
  };
}

export function loggerFor(g: GlobalOptions): RuncLogger {
  return new RuncLogger({ file: g.log, format: g.logFormat, debug: g.debug });
}

export function contextFor(cmd: Command): { ctx: RuntimeContext; log: RuncLogger; global: GlobalOptions } {
  const global = globalOptions(cmd);
  const log = loggerFor(global);
  return { ctx: runtimeContext({ root: global.root, log }), log, global };
}

/** runc's argument count checks, with its wording. */
export function requireArgs(name: string, args: string[], exact?: number, min?: number): void {
  if (exact !== undefined && args.length !== exact)
    throw new UsageError(`runc: ${JSON.stringify(name)} requires exactly ${exact} argument(s)`);
  if (min !== undefined && args.length < min) throw new UsageError(`runc: ${JSON.stringify(name)} requires a minimum of ${min} argument(s)`);
}

export class UsageError extends Error {}

/** An exit status decided by the command (the container's, for run and exec). */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit status ${status}`);
  }
}
