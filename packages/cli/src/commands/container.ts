/**
 * The `berth container` management command and the top-level shortcuts
 * docker keeps for it (run, ps, rm, exec, logs, ...).
 */
import type { Command } from 'commander';
import { stopFlagsAtFirstArgument } from '../argv.js';
import { describeCommand } from '../help.js';
import { attachOn } from './container-start.js';
import { lifecycleCommands } from './container-lifecycle.js';
import { miscCommands } from './container-misc.js';
import { execOn } from './exec.js';
import { containerInspectOn, inspectOn } from './inspect.js';
import { logsOn } from './logs.js';
import { psOn } from './ps.js';
import { createOn, runOn } from './run.js';

export function containerCommands(program: Command): void {
  const container = describeCommand(program.command('container').description('Manage containers'), { usage: 'COMMAND', group: 'Management Commands' });
  container.action(() => container.outputHelp());
  for (const parent of [program, container]) {
    stopFlagsAtFirstArgument(runOn(parent, 'run'));
    stopFlagsAtFirstArgument(createOn(parent, 'create'));
    stopFlagsAtFirstArgument(execOn(parent));
    attachOn(parent);
    logsOn(parent);
    for (const reg of Object.values(lifecycleCommands)) reg(parent, parent === container);
    for (const reg of Object.values(miscCommands)) reg(parent);
    const top = parent.commands.find((c) => c.name() === 'top');
    if (top) stopFlagsAtFirstArgument(top);
  }
  psOn(program, 'ps');
  psOn(container, 'ls').aliases(['list', 'ps']);
  container.commands.find((c) => c.name() === 'rm')?.alias('remove');
  inspectOn(program);
  containerInspectOn(container);
  // docker lists a management command's subcommands alphabetically
  (container.commands as Command[]).sort((a, b) => a.name().localeCompare(b.name()));
}
