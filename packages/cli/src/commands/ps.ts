/**
 * `berth ps` / `container ls|list|ps`: GET /containers/json with docker's
 * query (all, limit, size, filters) and its table, `-q`, `--no-trunc` and
 * `--format` (templates, `table ...`, `json`). Sizes are asked for with -s or
 * when the template uses .Size, as docker does.
 */
import type { Command } from 'commander';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { formatRows, TemplateError } from '../template/format.js';
import { apiOf } from './container-common.js';
import { containerHeaders, containerRow, type ContainerSummary } from './container-rows.js';
import { goEscape } from './go-json.js';

interface PsOptions {
  all?: boolean;
  filter: string[];
  format?: string;
  last?: string;
  latest?: boolean;
  trunc?: boolean;
  quiet?: boolean;
  size?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** docker's filter flag: key=value pairs as {"key":{"value":true}}. */
export function filtersJson(list: string[]): string {
  const f: Record<string, Record<string, boolean>> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq < 0) throw new ExitError(`invalid argument "${kv}" for "-f, --filter" flag: bad format of filter (expected name=value)`, 125);
    const k = kv.slice(0, eq).trim().toLowerCase();
    (f[k] ??= {})[kv.slice(eq + 1).trim()] = true;
  }
  return JSON.stringify(f);
}

function chooseFormat(o: PsOptions): string {
  if (o.quiet) return '{{.ID}}';
  const f = o.format ?? '';
  if (!f || f === 'table') return `table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}${o.size ? '\\t{{.Size}}' : ''}`;
  if (f === 'json') return '{{json .}}';
  return f;
}

async function runPs(o: PsOptions, self: Command): Promise<void> {
  const format = chooseFormat(o);
  const q = new URLSearchParams();
  const limit = o.latest ? 1 : o.last !== undefined ? Number(o.last) : -1;
  if (o.last !== undefined && !/^-?\d+$/.test(o.last)) {
    throw new ExitError(`invalid argument "${o.last}" for "-n, --last" flag: strconv.ParseInt: parsing "${o.last}": invalid syntax`, 125);
  }
  if (o.all || limit > 0) q.set('all', '1');
  if (limit > 0) q.set('limit', String(limit));
  if (o.size || (!o.quiet && /\.Size\b/.test(format))) q.set('size', '1');
  if (o.filter.length) q.set('filters', filtersJson(o.filter));
  const list = await apiOf(self).getJson<ContainerSummary[]>(`/containers/json${q.size ? `?${q.toString()}` : ''}`);
  const now = Date.now();
  const rows = list.map((c) => containerRow(c, { noTrunc: o.trunc === false, now }));
  try {
    const out = formatRows(format, rows, containerHeaders);
    process.stdout.write(format.trim() === '{{json .}}' ? goEscape(out) : out);
  } catch (err) {
    // ps parses its template late, and says so in its own words (exit 1)
    if (err instanceof TemplateError) throw new ExitError(`failed to parse template: ${err.message.replace(/^template: (?!:)/, 'template: :1: ')}`, 1);
    throw err;
  }
}

export function psOn(parent: Command, name: string): Command {
  const cmd = parent
    .command(name)
    .description('List containers')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .option('--format <string>', "Format output using a custom template:\n'table':            Print output in table format with\ncolumn headers (default)\n'table TEMPLATE':   Print output in table format\nusing the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given\nGo template.\nRefer to https://docs.docker.com/go/formatting/\nfor more information about formatting output with\ntemplates")
    .option('-n, --last <int>', 'Show n last created containers (includes all states) (default -1)')
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only display container IDs')
    .option('-s, --size', 'Display total file sizes')
    .action(runPs);
  return describeCommand(cmd, { usage: '[OPTIONS]', aliases: ['berth container ls', 'berth container list', 'berth container ps', 'berth ps'] });
}
