/**
 * PAX extended header records ("<len> <key>=<value>\n", POSIX.1-2001) as raw
 * bytes. tar-stream decodes and encodes values as UTF-8 text, which breaks
 * binary xattr values (SCHILY.xattr.security.capability is binary), so
 * xattrs are read and written here instead.
 */
export const xattrPrefix = 'SCHILY.xattr.';

/** Every record, values as raw bytes. Malformed input ends the parse (as tar-stream does). */
export function parsePaxRecords(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let rest = buf;
  while (rest.length > 0) {
    const space = rest.indexOf(0x20);
    if (space <= 0) break;
    const len = Number.parseInt(rest.subarray(0, space).toString('latin1'), 10);
    if (!Number.isSafeInteger(len) || len <= space + 1 || len > rest.length) break;
    const record = rest.subarray(space + 1, len - 1); // without the trailing '\n'
    const eq = record.indexOf(0x3d);
    if (eq < 0) break;
    out.set(record.subarray(0, eq).toString('utf8'), Buffer.from(record.subarray(eq + 1)));
    rest = rest.subarray(len);
  }
  return out;
}

/** The SCHILY.xattr.* records of a PAX header: xattr name -> raw value. */
export function paxXattrs(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of parsePaxRecords(buf)) if (k.startsWith(xattrPrefix)) out.set(k.slice(xattrPrefix.length), v);
  return out;
}

/** One record; its length prefix counts itself. */
function record(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), body]);
}

export function encodePaxRecords(records: Array<[string, Buffer]>): Buffer {
  return Buffer.concat(records.map(([k, v]) => record(k, v)));
}

function octal(buf: Buffer, value: number, offset: number, length: number): void {
  buf.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

/**
 * A whole PAX extended header ('x' typeflag block plus its records, padded
 * to 512 bytes), ready to precede the entry it describes.
 */
export function paxHeaderBlocks(records: Buffer, mtime: Date): Buffer {
  const h = Buffer.alloc(512);
  h.write('PaxHeader', 0, 100, 'latin1');
  octal(h, 0o644, 100, 8);
  octal(h, 0, 108, 8);
  octal(h, 0, 116, 8);
  octal(h, records.length, 124, 12);
  octal(h, Math.max(0, Math.floor(mtime.getTime() / 1000)), 136, 12);
  h.write('        ', 148, 8, 'latin1'); // checksum field counts as spaces
  h.write('x', 156, 1, 'latin1');
  h.write('ustar\x0000', 257, 8, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  const pad = (512 - (records.length % 512)) % 512;
  return Buffer.concat([h, records, Buffer.alloc(pad)]);
}
