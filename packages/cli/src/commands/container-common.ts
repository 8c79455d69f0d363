/**
 * What the container commands share: the API client of a command, docker's
 * "berth: <error>" + usage hint reports (run, create), and the per-container
 * loop of stop/kill/rm/... that prints each name that worked and the errors
 * after, exiting 1 if any failed.
 */
import type { Command } from 'commander';
import { BerthError } from '@berth/errors';
import type { ApiClient } from '../client/api.js';
import { clientFor, type GlobalOptions } from '../context.js';
import { ExitError } from '../errors.js';
import { fullName } from '../help.js';

export const apiOf = (self: Command): ApiClient => clientFor(self.optsWithGlobals<GlobalOptions>());

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** docker's reportError: "berth: <msg>" then the usage hint, with the given status. */
export function reportError(self: Command, msg: string, status: number): ExitError {
  return new ExitError(`berth: ${msg.replace(/\n+$/, '')}\n\nRun '${fullName(self)} --help' for more information`, status);
}

export const isNotFound = (err: unknown): boolean => err instanceof BerthError && err.code === 'NotFound';

export const enc = encodeURIComponent;

/**
 * Runs `op` for each container; prints what `op` returns (usually the name
 * as given) and collects errors, which docker prints at the end, exit 1.
 * `summary` is docker 28's closing line for some commands ("Error: failed to
 * start containers: a, b").
 */
export async function forEachContainer(
  names: string[],
  op: (name: string) => Promise<string | undefined>,
  summary?: string,
): Promise<void> {
  const errors: string[] = [];
  const failed: string[] = [];
  for (const name of names) {
    try {
      const shown = await op(name);
      if (shown !== undefined) process.stdout.write(`${shown}\n`);
    } catch (err) {
      errors.push(messageOf(err));
      failed.push(name);
    }
  }
  if (!errors.length) return;
  if (summary) {
    for (const e of errors) process.stderr.write(`${e}\n`);
    throw new ExitError(`Error: ${summary}: ${failed.join(', ')}`, 1);
  }
  throw new ExitError(errors.join('\n'), 1);
}
