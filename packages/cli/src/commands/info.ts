/**
 * `berth info` (and `berth system info`): docker info's Client: and Server:
 * pages, or `--format` over the daemon's /info with ClientInfo added, as
 * docker's template data has it. Server warnings go to stderr.
 */
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { clientInfo } from '../buildinfo.js';
import { describeCommand, formatFlagHelp } from '../help.js';
import { clientPage, serverPage, type Info } from './info-page.js';
import { parseFormat } from './format-flag.js';

async function runInfo(opts: { format?: string }, self: Command): Promise<void> {
  const tmpl = opts.format ? parseFormat(opts.format) : undefined;
  const globals = self.optsWithGlobals<GlobalOptions>();
  const api = clientFor(globals);
  const debug = Boolean(globals.debug);
  if (!tmpl) {
    // like docker, the client page comes first, even when the daemon is down
    process.stdout.write(`${clientPage(clientInfo(await api.apiVersion().catch(() => '')), debug).join('\n')}\n\n`);
  }
  const info = await api.getJson<Info>('/info');
  const client = clientInfo(await api.apiVersion());
  if (tmpl) {
    const data = { ...info, ClientInfo: { Debug: debug, ...client, Plugins: [], Warnings: null } };
    process.stdout.write(`${tmpl.execute(data)}\n`);
    return;
  }
  process.stdout.write(`${serverPage(info).join('\n')}\n\n`);
  const warnings = Array.isArray(info.Warnings) ? info.Warnings : [];
  for (const w of warnings) process.stderr.write(`${String(w)}\n`);
}

function infoOn(parent: Command): Command {
  const cmd = parent.command('info').description('Display system-wide information').option('-f, --format <string>', formatFlagHelp).action(runInfo);
  return describeCommand(cmd, { usage: '[OPTIONS]', aliases: ['berth system info', 'berth info'] });
}

export function infoCommands(program: Command): void {
  infoOn(program);
  const system = describeCommand(program.command('system').description('Manage Berth'), { usage: 'COMMAND', group: 'Management Commands' });
  system.action(() => system.outputHelp());
  infoOn(system);
}
