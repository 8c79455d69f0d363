/**
 * `berth images` / `berth image ls`: GET /images/json shown as docker's table
 * (REPOSITORY TAG IMAGE ID CREATED SIZE), `-q`, `--format` (incl. `table`
 * and `json`), `--filter key=value` and an optional REPOSITORY[:TAG].
 */
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { imageHeaders, imageRows, type ImageSummary } from './image-rows.js';
import { printRows } from './print-rows.js';

interface ListOptions {
  all?: boolean;
  quiet?: boolean;
  format?: string;
  filter: string[];
  trunc?: boolean;
  digests?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function filtersJson(list: string[], ref: string | undefined): string {
  const f: Record<string, Record<string, boolean>> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new ExitError(`invalid argument "${item}" for "-f, --filter" flag: bad format of filter (expected name=value)\nSee 'berth images --help'.`, 125);
    const key = item.slice(0, eq).trim().toLowerCase();
    (f[key] ??= {})[item.slice(eq + 1).trim()] = true;
  }
  if (ref) (f.reference ??= {})[ref] = true;
  return JSON.stringify(f);
}

function chooseFormat(o: ListOptions): string {
  const dflt = `table {{.Repository}}\\t{{.Tag}}${o.digests ? '\\t{{.Digest}}' : ''}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}`;
  if (o.quiet) return '{{.ID}}';
  const f = o.format ?? '';
  if (!f || f === 'table') return dflt;
  if (f === 'json') return '{{json .}}';
  return f;
}

async function runImages(ref: string | undefined, o: ListOptions, self: Command): Promise<void> {
  const format = chooseFormat(o);
  const q = new URLSearchParams();
  if (o.all) q.set('all', '1');
  const filters = filtersJson(o.filter, ref);
  if (filters !== '{}') q.set('filters', filters);
  const query = q.toString();
  const api = clientFor(self.optsWithGlobals<GlobalOptions>());
  const images = await api.getJson<ImageSummary[]>(`/images/json${query ? `?${query}` : ''}`);
  const rows = imageRows(images, { noTrunc: o.trunc === false, digests: Boolean(o.digests) });
  printRows(format, rows, imageHeaders, 64);
}

function lsOn(parent: Command, name: string, aliases: string[]): Command {
  const cmd = parent
    .command(name)
    .description('List images')
    .argument('[repository]')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .option('--format <string>', "Format output using a custom template:\n'table':            Print output in table format with\ncolumn headers (default)\n'table TEMPLATE':   Print output in table format\nusing the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given\nGo template.\nRefer to https://docs.docker.com/go/formatting/\nfor more information about formatting output with\ntemplates")
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action(runImages);
  return describeCommand(cmd, { usage: '[OPTIONS] [REPOSITORY[:TAG]]', aliases });
}

export function imagesOn(program: Command, image: Command): void {
  const aliases = ['berth image ls', 'berth image list', 'berth images'];
  lsOn(program, 'images', aliases);
  lsOn(image, 'ls', aliases).alias('list');
}
