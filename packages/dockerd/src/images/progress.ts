/**
 * docker's JSON progress stream (moby's jsonmessage): one object per line,
 * `{"status","id"}` for messages, `progressDetail` (empty `{}` for a layer's
 * status changes, `{current,total}` while bytes move) plus the rendered
 * `progress` bar for old clients, and `{"errorDetail","error"}` once a stream
 * that has already started fails.
 */
export type ProgressWriter = (msg: Record<string, unknown>) => void;

const decimal = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** go-units HumanSize: %.4g of the decimal unit. */
function humanSize(n: number): string {
  let i = 0;
  while (n >= 1000 && i < decimal.length - 1) { n /= 1000; i++; }
  const s = n.toPrecision(4);
  return `${s.includes('.') ? s.replace(/\.?0+$/, '') : s}${decimal[i]}`;
}

/** JSONProgress.String() at dockerd's width (no terminal: 200 columns). */
export function progressBar(current: number, total: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  const pct = Math.min(Math.floor(Math.floor((current / total) * 100) / 2), 50);
  const bar = `[${'='.repeat(pct)}>${' '.repeat(Math.max(50 - pct, 0))}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

export const message = (status: string, id?: string): Record<string, unknown> => (id ? { status, id } : { status });

/** A layer's status change ("Pulling fs layer", "Pull complete"): the empty progressDetail marks it as a progress line. */
export const layerStatus = (id: string, status: string): Record<string, unknown> => ({ status, progressDetail: {}, id });

export const layerProgress = (id: string, status: string, current: number, total: number): Record<string, unknown> => ({
  status,
  progressDetail: { current, total },
  progress: progressBar(current, total),
  id,
});

export const errorMessage = (text: string): Record<string, unknown> => ({ errorDetail: { message: text }, error: text });

/** Writes messages as newline-delimited JSON to a response. */
export function jsonLines(write: (s: string) => void): ProgressWriter {
  return (msg) => write(`${JSON.stringify(msg)}\n`);
}
