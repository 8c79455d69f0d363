/**
 * docker's jsonmessage display: a daemon's JSON progress stream shown as
 * docker shows it. On a terminal every layer id keeps its own line, redrawn
 * in place (cursor up/down, erase line) with a progress bar from
 * progressDetail; elsewhere one plain line per status, with the byte-count
 * updates left out. An `error` in the stream ends the display with that
 * message.
 */
import { ExitError } from '../errors.js';

interface Progress {
  current?: number;
  total?: number;
  units?: string;
  hidecounts?: boolean;
}

export interface JsonMessage {
  status?: string;
  id?: string;
  stream?: string;
  progressDetail?: Progress;
  errorDetail?: { message?: string; code?: number };
  error?: string;
  aux?: unknown;
}

const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** go-units HumanSize: four significant digits. */
function humanSize(n: number): string {
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  const s = n.toPrecision(4);
  return `${s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s}${units[i]}`;
}

/** jsonmessage.RenderTUIProgress. */
export function renderProgress(p: Progress, width: number): string {
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return p.units ? `${current} ${p.units}` : humanSize(current).padStart(8);
  const pct = Math.min(Math.floor(Math.floor((current / total) * 100) / 2), 50);
  const bar = width > 110 ? `[${'='.repeat(pct)}>${' '.repeat(Math.max(50 - pct, 0))}] ` : '';
  let numbers = '';
  if (!p.hidecounts) {
    if (p.units) numbers = current > total ? `${current} ${p.units}` : `${current}/${total} ${p.units}`;
    else numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  }
  return bar + numbers;
}

function display(jm: JsonMessage, write: (s: string) => void, tty: boolean, width: number): void {
  let endl = '';
  const p = jm.progressDetail;
  if (tty && !jm.stream && p) {
    write('\x1b[2K\r');
    endl = '\r';
  } else if (p && ((p.current ?? 0) > 0 || (p.total ?? 0) > 0)) {
    return; // no progress bars off a terminal
  }
  if (jm.id) write(`${jm.id}: `);
  if (p && tty) write(`${jm.status ?? ''} ${renderProgress(p, width)}${endl}`);
  else if (jm.stream) write(`${jm.stream}${endl}`);
  else write(`${jm.status ?? ''}${endl}\n`);
}

/** Shows a stream of messages on `out`; throws docker's error when the stream carries one. */
export async function displayMessages(messages: AsyncIterable<JsonMessage>, out: NodeJS.WritableStream): Promise<void> {
  const stream = out as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  const tty = stream.isTTY === true;
  const width = tty ? stream.columns ?? 200 : 200;
  const write = (s: string) => { out.write(s); };
  let ids = new Map<string, number>();
  for await (const jm of messages) {
    if (jm.error !== undefined || jm.errorDetail) {
      throw new ExitError(jm.errorDetail?.message ?? jm.error ?? 'unknown error', jm.errorDetail?.code || 1);
    }
    if (jm.aux !== undefined) continue;
    let diff = 0;
    if (jm.id && jm.progressDetail) {
      let line = ids.get(jm.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(jm.id, line);
        if (tty) write('\n');
      }
      diff = ids.size - line;
      if (tty && diff > 0) write(`\x1b[${diff}A`);
    } else {
      ids = new Map();
    }
    display(jm, write, tty, width);
    if (jm.id && tty && diff > 0) write(`\x1b[${diff}B`);
  }
}
