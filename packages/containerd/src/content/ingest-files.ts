/**
 * The small files of an ingest directory, as containerd writes them: `ref`
 * (the backend ref), `startedat`/`updatedat` (Go's time.MarshalText,
 * RFC 3339 with nanoseconds), `total` (decimal). Timestamps are written to a
 * temp file and renamed, so a reader never sees half of one.
 */
import fs from 'node:fs/promises';
import { notFound } from '@berth/errors';

export async function writeTimestampFile(file: string, t: Date): Promise<void> {
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, t.toISOString(), { mode: 0o666, flush: true });
  await fs.rename(tmp, file);
}

/** Reads RFC 3339 with any number of fractional digits (Go writes nine). */
export async function readTimestampFile(file: string): Promise<Date> {
  const text = await readString(file);
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text.trim());
  const t = m === null ? NaN : Date.parse(`${m[1]}.${(m[2] ?? '0').slice(0, 3).padEnd(3, '0')}${m[3]}`);
  if (Number.isNaN(t)) throw new Error(`could not parse timestamp file ${file}`);
  return new Date(t);
}

/** The file's text; NotFound (with the system message) when it is missing. */
export async function readString(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound((err as Error).message, err);
    throw err;
  }
}

/** The expected total of an ingest, 0 when unknown or unreadable. */
export async function readTotal(file: string): Promise<number> {
  try {
    const n = Number.parseInt(await fs.readFile(file, 'utf8'), 10);
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}
