/**
 * A minimal tar reader for `docker load` bodies: ustar/GNU headers, GNU long
 * names ('L') and pax path records ('x'); regular files only are returned.
 */
import { invalidArgument } from '@berth/errors';

export type TarFiles = Map<string, Buffer>;

function field(h: Buffer, off: number, len: number): string {
  const raw = h.subarray(off, off + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function octal(h: Buffer, off: number, len: number): number {
  const s = field(h, off, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function paxPath(data: Buffer): string | undefined {
  let rest = data.toString('utf8');
  while (rest.length > 0) {
    const sp = rest.indexOf(' ');
    const len = parseInt(rest.slice(0, sp), 10);
    if (!(len > 0)) break;
    const rec = rest.slice(sp + 1, len - 1);
    const eq = rec.indexOf('=');
    if (rec.slice(0, eq) === 'path') return rec.slice(eq + 1);
    rest = rest.slice(len);
  }
  return undefined;
}

const clean = (name: string): string => name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');

export function readTar(buf: Buffer): TarFiles {
  const files: TarFiles = new Map();
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] ?? 0);
    const prefix = field(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    const start = off + 512;
    if (start + size > buf.length) throw invalidArgument('unexpected EOF in the image tar');
    const data = buf.subarray(start, start + size);
    off = start + Math.ceil(size / 512) * 512;
    if (type === 'L') { longName = data.toString('utf8').replace(/\0+$/, ''); continue; }
    if (type === 'x') { longName = paxPath(data) ?? longName; continue; }
    longName = undefined;
    if (type === '0' || type === '\0') files.set(clean(name), data);
  }
  return files;
}
