/**
 * `berth image prune [-a] [-f] [--filter k=v]`: docker's confirmation prompt
 * ("WARNING! ... [y/N] ") unless -f, POST /images/prune with dangling=true
 * (false with -a), then "Deleted Images:" with untagged:/deleted: lines and
 * "Total reclaimed space: <size>".
 */
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { confirm } from './confirm.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

const allWarning = 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?';
const danglingWarning = 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';

/** go-units HumanSize (four significant digits). */
function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  const s = n.toPrecision(4);
  return `${s.includes('.') ? s.replace(/\.?0+$/, '') : s}${units[i]}`;
}


interface PruneReport {
  ImagesDeleted?: Array<{ Untagged?: string; Deleted?: string }> | null;
  SpaceReclaimed?: number;
}

async function runPrune(o: { all?: boolean; force?: boolean; filter: string[] }, self: Command): Promise<void> {
  const filters: Record<string, Record<string, boolean>> = {};
  for (const item of o.filter) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new ExitError(`invalid argument "${item}" for "--filter" flag: bad format of filter (expected name=value)\nSee 'berth image prune --help'.`, 125);
    (filters[item.slice(0, eq).trim().toLowerCase()] ??= {})[item.slice(eq + 1).trim()] = true;
  }
  filters.dangling = { [String(!o.all)]: true };
  // docker treats a "no" as a cancellation: nothing more is printed, and the exit status is 0
  if (!o.force && !(await confirm(o.all ? allWarning : danglingWarning))) return;
  const api = clientFor(self.optsWithGlobals<GlobalOptions>());
  const report = await api.getJson<PruneReport>(`/images/prune?${new URLSearchParams({ filters: JSON.stringify(filters) }).toString()}`, { method: 'POST' });
  let out = '';
  const deleted = report.ImagesDeleted ?? [];
  if (deleted.length) {
    out += 'Deleted Images:\n';
    for (const d of deleted) out += d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted ?? ''}\n`;
    out += '\n';
  }
  out += `Total reclaimed space: ${humanSize(report.SpaceReclaimed ?? 0)}\n`;
  process.stdout.write(out);
}

export function imagePruneOn(image: Command): void {
  const cmd = image
    .command('prune')
    .description('Remove unused images')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect, [])
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(runPrune);
  describeCommand(cmd, { usage: '[OPTIONS]' });
}
