/**
 * `berth history IMAGE`: GET /images/{name}/history as docker's table (IMAGE
 * CREATED CREATED BY SIZE COMMENT): 12-character IDs ("<missing>" as is),
 * CREATED BY cut to 45 characters with "…", go-units sizes and ages; -H=false
 * shows RFC 3339 times and byte counts; -q, --no-trunc, --format.
 */
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { describeCommand, formatFlagHelp } from '../help.js';
import { humanDuration, humanSize } from '../units.js';
import { printRows } from './print-rows.js';

interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

const headers: Record<string, string> = {
  ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT',
};

/** Go's time.Format(time.RFC3339) in the local zone (the tests and servers run in UTC). */
function rfc3339(unix: number): string {
  const d = new Date(unix * 1000);
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  if (off === 0) return `${local}Z`;
  const a = Math.abs(off);
  return `${local}${off > 0 ? '+' : '-'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** formatter.Ellipsis: at most `n` characters, the last one "…" when cut. */
const ellipsis = (s: string, n: number): string => ([...s].length <= n ? s : `${[...s].slice(0, n - 1).join('')}…`);

const truncateId = (id: string): string => {
  const colon = id.indexOf(':');
  return (colon >= 0 ? id.slice(colon + 1) : id).slice(0, 12);
};

function rowOf(h: HistoryItem, trunc: boolean, human: boolean, now: number): Record<string, unknown> {
  const createdAt = rfc3339(h.Created);
  const createdBy = h.CreatedBy.replaceAll('\t', ' ');
  // keys in the order Go's json prints a formatter's fields (sorted), for --format json
  return {
    Comment: h.Comment,
    CreatedAt: createdAt,
    CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
    CreatedSince: !human ? createdAt : h.Created <= 946684800 ? 'N/A' : `${humanDuration(now - h.Created * 1000)} ago`,
    ID: trunc ? truncateId(h.Id) : h.Id,
    Size: human ? humanSize(h.Size) : String(h.Size),
  };
}

async function runHistory(name: string, o: { human: boolean; quiet?: boolean; trunc?: boolean; format?: string }, self: Command): Promise<void> {
  let format = o.format ?? '';
  if (!format || format === 'table') {
    format = o.quiet ? '{{.ID}}' : o.human ? 'table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}' : 'table {{.ID}}\\t{{.CreatedAt}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}';
  } else if (format === 'json') {
    format = '{{json .}}';
  }
  const api = clientFor(self.optsWithGlobals<GlobalOptions>());
  const items = await api.getJson<HistoryItem[]>(`/images/${encodeURIComponent(name)}/history`);
  const now = Date.now();
  const rows = items.map((h) => rowOf(h, o.trunc !== false, o.human, now));
  printRows(format, rows, headers, 64);
}

const bool = (v: string | undefined): boolean => v === undefined || !['false', '0', 'f', 'F', 'FALSE', 'False'].includes(v.replace(/^=/, ''));

export function historyOn(program: Command, image: Command): void {
  for (const parent of [program, image]) {
    const cmd = parent
      .command('history')
      .description('Show the history of an image')
      .argument('<image>')
      .option('--format <string>', formatFlagHelp)
      .option('-H, --human [bool]', 'Print sizes and dates in human readable format (default true)', bool, true)
      .option('--no-trunc', "Don't truncate output")
      .option('--platform <string>', 'Show history for the given platform. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")')
      .option('-q, --quiet', 'Only show image IDs')
      .action(runHistory);
    describeCommand(cmd, { usage: '[OPTIONS] IMAGE', aliases: ['berth image history', 'berth history'] });
  }
}
