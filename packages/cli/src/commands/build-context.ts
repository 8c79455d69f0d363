/**
 * The build context as the docker CLI sends it: the directory walked in
 * name order, .dockerignore's exclusions left out (the Dockerfile and
 * .dockerignore always sent), owners 0:0, as one tar in memory. Long names
 * get a PAX header. A Dockerfile outside the context is added under a
 * random `.dockerfile.<hex>` name, as docker does.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ExitError } from '../errors.js';
import { isIgnored, parseIgnore } from './build-ignore.js';

function header(name: string, type: string, size: number, mode: number, mtime: number, link = ''): Buffer {
  const h = Buffer.alloc(512);
  const oct = (n: number, len: number) => `${n.toString(8).padStart(len - 1, '0')}\0`;
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write(oct(mode & 0o7777, 8), 100);
  h.write(oct(0, 8), 108);
  h.write(oct(0, 8), 116);
  h.write(oct(size, 12), 124);
  h.write(oct(Math.floor(mtime), 12), 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(link.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

const pad = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);

/** A PAX record "<len> path=<value>\n", where len counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (`${len}${body}`.length !== len) len = Buffer.byteLength(`${len}${body}`);
  return `${len}${body}`;
}

class TarBuilder {
  readonly parts: Buffer[] = [];

  add(name: string, type: string, data: Buffer, mode: number, mtime: number, link = ''): void {
    if (Buffer.byteLength(name) > 100 || Buffer.byteLength(link) > 100) {
      const pax = Buffer.from(paxRecord('path', name) + (link ? paxRecord('linkpath', link) : ''));
      this.parts.push(header('PaxHeader', 'x', pax.length, 0o644, mtime), pax, pad(pax.length));
    }
    this.parts.push(header(name, type, data.length, mode, mtime, link), data, pad(data.length));
  }

  finish(): Buffer {
    return Buffer.concat([...this.parts, Buffer.alloc(1024)]);
  }
}

export interface BuildContext {
  tar: Buffer;
  /** The Dockerfile's name inside the tar. */
  dockerfile: string;
}

export function packContext(dir: string, dockerfileFlag: string | undefined): BuildContext {
  const root = path.resolve(dir);
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new ExitError(`unable to prepare context: path "${dir}" not found`, 1);
  const dfHost = dockerfileFlag ? path.resolve(dockerfileFlag) : path.join(root, 'Dockerfile');
  if (!fs.existsSync(dfHost)) throw new ExitError(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${dfHost}: no such file or directory`, 1);
  const relDf = path.relative(root, dfHost);
  const inside = !relDf.startsWith('..') && !path.isAbsolute(relDf);
  const ignoreText = fs.existsSync(path.join(root, '.dockerignore')) ? fs.readFileSync(path.join(root, '.dockerignore'), 'utf8') : '';
  const patterns = parseIgnore(ignoreText);
  const keep = new Set(['.dockerignore', ...(inside ? [relDf.split(path.sep).join('/')] : [])]);
  const tar = new TarBuilder();
  const walk = (hostDir: string, rel: string): void => {
    for (const name of fs.readdirSync(hostDir).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const host = path.join(hostDir, name);
      if (!keep.has(r) && isIgnored(patterns, r)) {
        // an exception below an ignored dir still needs the walk
        if (!fs.lstatSync(host).isDirectory() || !ignoreText.includes('!')) continue;
      }
      const st = fs.lstatSync(host);
      const mtime = st.mtimeMs / 1000;
      if (st.isDirectory()) {
        if (!isIgnored(patterns, r)) tar.add(`${r}/`, '5', Buffer.alloc(0), st.mode, mtime);
        walk(host, r);
      } else if (st.isSymbolicLink()) tar.add(r, '2', Buffer.alloc(0), st.mode, mtime, fs.readlinkSync(host));
      else if (st.isFile()) tar.add(r, '0', fs.readFileSync(host), st.mode, mtime);
    }
  };
  walk(root, '');
  let dockerfile = relDf.split(path.sep).join('/');
  if (!inside) {
    dockerfile = `.dockerfile.${randomBytes(10).toString('hex')}`;
    const st = fs.statSync(dfHost);
    tar.add(dockerfile, '0', fs.readFileSync(dfHost), st.mode, st.mtimeMs / 1000);
  }
  return { tar: tar.finish(), dockerfile };
}
