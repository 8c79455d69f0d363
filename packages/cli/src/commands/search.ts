/**
 * `berth search [OPTIONS] TERM`: GET /images/search as docker's table (NAME
 * DESCRIPTION STARS OFFICIAL; descriptions on one line, cut to 45
 * characters with "…" unless --no-trunc; "[OK]" for official images),
 * --limit, -f/--filter key=value (is-official, stars, is-automated: checked
 * by the daemon), --format (table, json or a template). The index's stored
 * credentials go along as X-Registry-Auth, as docker sends them.
 */
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { registryAuthHeader } from '../credentials.js';
import { ExitError } from '../errors.js';
import { describeCommand, formatFlagHelp } from '../help.js';
import { openStream } from './progress-request.js';
import { printRows } from './print-rows.js';

interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated?: boolean;
}

interface SearchOptions {
  filter: string[];
  format?: string;
  limit?: string;
  trunc?: boolean;
}

const headers: Record<string, string> = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL' };

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** formatter.Ellipsis: at most `n` characters, the last one "…" when cut. */
const ellipsis = (s: string, n: number): string => ([...s].length <= n ? s : `${[...s].slice(0, n - 1).join('')}…`);

/** The index a term names, as the daemon splits it (for the credentials to send). */
function indexOf(term: string): string {
  const slash = term.indexOf('/');
  const first = slash < 0 ? term : term.slice(0, slash);
  return slash < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost') ? 'docker.io' : first;
}

function filtersJson(list: string[]): string {
  const f: Record<string, Record<string, boolean>> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new ExitError(`invalid argument "${item}" for "-f, --filter" flag: bad format of filter (expected name=value)\nSee 'berth search --help'.`, 125);
    (f[item.slice(0, eq).trim().toLowerCase()] ??= {})[item.slice(eq + 1).trim()] = true;
  }
  return JSON.stringify(f);
}

/** A result as docker's search formatter shows it; json=true for --format json (booleans as words). */
function rowOf(r: SearchResult, trunc: boolean, json: boolean): Record<string, unknown> {
  const flat = r.description.replaceAll('\n', ' ').replaceAll('\r', ' ');
  const bool = (v: boolean) => (json ? String(v) : v ? '[OK]' : '');
  // keys in the order Go's json prints the formatter's fields (sorted)
  return { Description: trunc ? ellipsis(flat, 45) : flat, IsOfficial: bool(r.is_official), Name: r.name, StarCount: String(r.star_count) };
}

async function runSearch(term: string, o: SearchOptions, self: Command): Promise<void> {
  let format = o.format ?? '';
  const json = format === 'json';
  if (!format || format === 'table') format = 'table {{.Name}}\\t{{.Description}}\\t{{.StarCount}}\\t{{.IsOfficial}}';
  else if (json) format = '{{json .}}';
  const limit = o.limit === undefined ? 0 : Number(o.limit);
  if (!Number.isInteger(limit)) {
    throw new ExitError(`invalid argument "${o.limit}" for "--limit" flag: strconv.ParseInt: parsing "${o.limit}": invalid syntax\nSee 'berth search --help'.`, 125);
  }
  const q = new URLSearchParams({ term });
  if (limit) q.set('limit', String(limit));
  const filters = filtersJson(o.filter);
  if (filters !== '{}') q.set('filters', filters);
  const api = clientFor(self.optsWithGlobals<GlobalOptions>());
  const res = await openStream(api, `/images/search?${q.toString()}`, { headers: { 'X-Registry-Auth': registryAuthHeader(indexOf(term)) } });
  const parts: Buffer[] = [];
  for await (const c of res) parts.push(c as Buffer);
  const results = JSON.parse(Buffer.concat(parts).toString('utf8')) as SearchResult[];
  const rows = results.map((r) => rowOf(r, o.trunc !== false, json));
  printRows(format, rows, headers, 64);
}

export function searchOn(program: Command): void {
  const cmd = program
    .command('search')
    .description('Search Docker Hub for images')
    .argument('<term>')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .option('--format <string>', formatFlagHelp)
    .option('--limit <int>', 'Max number of search results')
    .option('--no-trunc', "Don't truncate output")
    .action(runSearch);
  describeCommand(cmd, { usage: '[OPTIONS] TERM' });
}
