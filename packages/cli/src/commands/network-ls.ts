/**
 * `berth network ls` (alias `list`): GET /networks sorted by name in
 * docker's natural order, shown as its NETWORK ID / NAME / DRIVER / SCOPE
 * table, `-q`, `--no-trunc`, `-f key=value` and `--format` (`table ...`,
 * `json`, `raw` or any template).
 */
import type { Command } from 'commander';
import { describeCommand } from '../help.js';
import { apiOf } from './container-common.js';
import { checkArgs, collect, filtersJson } from './network-common.js';
import { naturalCompare, networkHeaders, networkRow, type NetworkSummary } from './network-rows.js';
import { printRows } from './print-rows.js';

interface LsFlags {
  quiet?: boolean;
  trunc?: boolean;
  format?: string;
  filter?: string[];
}

/** docker's NewFormat for networks: the table, -q's {{.ID}}, "raw" and "json" keys. */
function chooseFormat(o: LsFlags): string {
  const f = o.format ?? '';
  if (!f || f === 'table') return o.quiet ? '{{.ID}}' : 'table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Scope}}';
  if (f === 'raw') return o.quiet ? 'network_id: {{.ID}}' : 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
  if (f === 'json') return '{{json .}}';
  return f;
}

async function runLs(args: string[], o: LsFlags, self: Command): Promise<void> {
  checkArgs(self, args, { exact: 0 });
  const filters = filtersJson(self, o.filter, '-f, --filter');
  const format = chooseFormat(o);
  const query = filters ? `?${new URLSearchParams({ filters }).toString()}` : '';
  const list = await apiOf(self).getJson<NetworkSummary[] | null>(`/networks${query}`);
  const sorted = [...(list ?? [])].sort((a, b) => naturalCompare(a.Name, b.Name));
  const rows = sorted.map((n) => networkRow(n, o.trunc !== false));
  printRows(format, rows, networkHeaders, 1);
}

export function networkLsOn(network: Command): void {
  const cmd = network
    .command('ls')
    .alias('list')
    .description('List networks')
    .argument('[args...]')
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "driver=bridge")', collect)
    .option('--format <string>', "Format output using a custom template:\n'table':            Print output in table format\nwith column headers (default)\n'table TEMPLATE':   Print output in table format\nusing the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given\nGo template.\nRefer to https://docs.docker.com/go/formatting/\nfor more information about formatting output with\ntemplates")
    .option('--no-trunc', 'Do not truncate the output')
    .option('-q, --quiet', 'Only display network IDs')
    .action(runLs);
  describeCommand(cmd, { usage: '[OPTIONS]', aliases: ['berth network ls', 'berth network list'] });
}
