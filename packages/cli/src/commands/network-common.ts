/**
 * What the `berth network` subcommands share: docker's argument-count
 * errors (cobra's ExactArgs / RequiresMinArgs / NoArgs texts), its
 * key=value flag parsers (labels, options, filters) with their messages,
 * and the repeatable, comma-splitting string-slice flag.
 */
import type { Command } from 'commander';
import { ExitError, usageError } from '../errors.js';
import { fullName, usageLine } from '../help.js';

/** A repeatable flag; pflag's StringSlice also splits each value at commas. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
export const collectSlice = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',')];

/** cobra's argument checks, with docker's wording ("requires 2 arguments", "requires at least 1 argument"). */
export function checkArgs(self: Command, args: string[], want: { exact?: number; min?: number }): void {
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  const name = fullName(self);
  if (want.exact !== undefined && args.length !== want.exact) {
    const msg = want.exact === 0 ? `berth: '${name}' accepts no arguments` : `berth: '${name}' requires ${plural(want.exact)}`;
    throw new ExitError(`${msg}\n\nUsage:  ${usageLine(self)}\n\nRun '${name} --help' for more information`, 1);
  }
  if (want.min !== undefined && args.length < want.min) {
    // cobra's RequiresMinArgs says "See", the others "Run"
    throw new ExitError(`berth: '${name}' requires at least ${plural(want.min)}\n\nUsage:  ${usageLine(self)}\n\nRun '${name} --help' for more information`.replace(/\nRun '/, "\nSee '"), 1);
  }
}

/** An invalid flag value, reported as cobra does: the flag, the reason, the usage; exit 125. */
export function flagValueError(self: Command, value: string, flag: string, reason: string): ExitError {
  return usageError(`invalid argument "${value}" for "${flag}" flag: ${reason}`, usageLine(self), fullName(self));
}

/** docker's MapOpts: "k=v" -> k: v, a bare "k" -> k: "". */
export function keyValues(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    out[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return out;
}

/** opts.ValidateLabel: the key may not be empty or hold spaces or tabs. */
export function checkLabels(self: Command, list: string[] | undefined): void {
  for (const value of list ?? []) {
    const key = (value.split('=')[0] ?? '').replace(/^[ \t]+/, '');
    if (!key) throw flagValueError(self, value, '--label', `invalid label '${value}': empty name`);
    if (/[ \t]/.test(key)) throw flagValueError(self, value, '--label', `label '${key}' contains whitespaces`);
  }
}

/** opts.FilterOpt: name=value pairs as the API's filters JSON; undefined when there are none. */
export function filtersJson(self: Command, list: string[] | undefined, flag: string): string | undefined {
  const f: Record<string, Record<string, boolean>> = {};
  for (const item of list ?? []) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) throw flagValueError(self, item, flag, 'bad format of filter (expected name=value)');
    (f[item.slice(0, eq).trim().toLowerCase()] ??= {})[item.slice(eq + 1).trim()] = true;
  }
  return Object.keys(f).length ? JSON.stringify(f) : undefined;
}

/** docker's stringid.TruncateID. */
export const shortId = (id: string): string => id.slice(id.indexOf(':') + 1).slice(0, 12);
