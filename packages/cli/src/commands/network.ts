/** The `berth network` management command and its subcommands, in docker's (alphabetical) order. */
import type { Command } from 'commander';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { networkCreateOn } from './network-create.js';
import { networkLsOn } from './network-ls.js';
import { networkConnectOn, networkDisconnectOn, networkInspectOn, networkRmOn } from './network-ops.js';
import { networkPruneOn } from './network-prune.js';

export function networkCommands(program: Command): void {
  const network = describeCommand(program.command('network').description('Manage networks'), { usage: 'COMMAND', group: 'Management Commands' });
  network.argument('[command]').action((name: string | undefined) => {
    if (name) throw new ExitError(`berth: unknown command: berth network ${name}\n\nUsage:  berth network\n\nRun 'berth network --help' for more information`, 1);
    network.outputHelp();
  });
  networkConnectOn(network);
  networkCreateOn(network);
  networkDisconnectOn(network);
  networkInspectOn(network);
  networkLsOn(network);
  networkPruneOn(network);
  networkRmOn(network);
}
