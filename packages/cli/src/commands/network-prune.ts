/**
 * `berth network prune [-f] [--filter k=v]`: docker's confirmation prompt
 * unless -f (anything but "y" cancels, silently and with status 0, as
 * docker), POST /networks/prune, then "Deleted Networks:" and the names,
 * followed by a blank line; nothing at all when none was removed.
 */
import type { Command } from 'commander';
import { describeCommand } from '../help.js';
import { apiOf } from './container-common.js';
import { checkArgs, collect, filtersJson } from './network-common.js';
import { confirm } from './confirm.js';

const warning = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';


async function runPrune(args: string[], o: { force?: boolean; filter?: string[] }, self: Command): Promise<void> {
  checkArgs(self, args, { exact: 0 });
  const filters = filtersJson(self, o.filter, '--filter');
  if (!o.force && !(await confirm(warning))) return;
  const query = filters ? `?${new URLSearchParams({ filters }).toString()}` : '';
  const report = await apiOf(self).getJson<{ NetworksDeleted?: string[] | null }>(`/networks/prune${query}`, { method: 'POST' });
  const deleted = report.NetworksDeleted ?? [];
  if (deleted.length) process.stdout.write(`Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
}

export function networkPruneOn(network: Command): void {
  const cmd = network
    .command('prune')
    .description('Remove all unused networks')
    .argument('[args...]')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(runPrune);
  describeCommand(cmd, { usage: '[OPTIONS]' });
}
