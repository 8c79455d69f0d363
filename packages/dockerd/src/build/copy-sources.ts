/**
 * COPY/ADD sources: each source path (or filepath.Match glob) resolved inside
 * the source root (the context dir, or another stage's or image's files),
 * links followed only inside that root, so a link in the context cannot pull
 * in a host file; then a checksum of everything that will be copied (names,
 * types, modes, link targets, contents): the `file:<sha256>` moby records in
 * the step's Cmd, which is what makes a changed file miss the cache.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { invalidArgument, notFound } from '@berth/errors';
import { resolveInRoot } from '../containers/rootfs-path.js';

export interface Source {
  /** The path as written (after expansion). */
  given: string;
  /** The matched path, relative to the source root. */
  rel: string;
  /** Where it is on the host. */
  host: string;
  stat: Stats;
}

/** Go's filepath.Match for one path segment, as a RegExp. */
function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      let body = seg.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < seg.length) {
      re += (seg[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const hasMeta = (p: string): boolean => /[*?[]/.test(p);

async function expandGlob(root: string, pattern: string): Promise<string[]> {
  const segs = pattern.split('/').filter((s) => s !== '' && s !== '.');
  let found = [''];
  for (const seg of segs) {
    const next: string[] = [];
    for (const base of found) {
      if (!hasMeta(seg)) { next.push(base === '' ? seg : `${base}/${seg}`); continue; }
      const dirHost = resolveInRoot(root, `/${base}`).host;
      const names = await fs.readdir(dirHost).catch(() => [] as string[]);
      const re = segmentRegex(seg);
      for (const n of names.sort()) if (re.test(n)) next.push(base === '' ? n : `${base}/${n}`);
    }
    found = next;
  }
  const exist: string[] = [];
  for (const f of found) if (await fs.lstat(resolveInRoot(root, `/${f}`).host).then(() => true, () => false)) exist.push(f);
  return exist;
}

/** The sources of one COPY/ADD, in order; `what` is `COPY` or `ADD` for moby's error texts. */
export async function resolveSources(root: string, given: string[], what: string, fromContext: boolean): Promise<Source[]> {
  const out: Source[] = [];
  for (const g of given) {
    // a context path that climbs out of the context (moby checks the path as written, before resolving it)
    const rel = path.posix.normalize(g);
    if (fromContext && (rel === '..' || rel.startsWith('../'))) throw invalidArgument(`${what} failed: forbidden path outside the build context: ${g} ()`);
    const clean = path.posix.normalize(`/${g}`);
    const paths = hasMeta(clean) ? await expandGlob(root, clean) : [clean.slice(1)];
    for (const p of paths) {
      const host = resolveInRoot(root, `/${p}`).host;
      let stat: Stats;
      try {
        stat = await fs.stat(host);
      } catch {
        const where = fromContext ? 'file not found in build context or excluded by .dockerignore: ' : '';
        throw notFound(`${what} failed: ${where}stat ${p === '' ? '.' : p}: file does not exist`);
      }
      out.push({ given: g, rel: p, host, stat });
    }
  }
  if (out.length === 0) throw notFound(`${what} failed: no source files were specified`);
  return out;
}

async function hashTree(h: ReturnType<typeof createHash>, host: string, rel: string, top: boolean): Promise<void> {
  const st = top ? await fs.stat(host) : await fs.lstat(host);
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : 'o';
  h.update(`${rel}\0${type}\0${(st.mode & 0o7777).toString(8)}\0`);
  if (type === 'l') h.update(`${await fs.readlink(host)}\0`);
  else if (type === 'f') {
    h.update(`${st.size}\0`);
    for await (const c of createReadStream(host) as AsyncIterable<Buffer>) h.update(c);
  } else if (type === 'd') {
    for (const n of (await fs.readdir(host)).sort()) await hashTree(h, path.join(host, n), `${rel}/${n}`, false);
  }
}

/** moby's source hash prefix and digest: `file:<hex>`, `dir:<hex>`, `multi:<hex>`. */
export async function sourcesHash(sources: Source[]): Promise<string> {
  const h = createHash('sha256');
  for (const s of sources) await hashTree(h, s.host, path.posix.basename(s.rel), true);
  const only = sources.length === 1 ? sources[0] : undefined;
  const kind = only ? (only.stat.isDirectory() ? 'dir' : 'file') : 'multi';
  return `${kind}:${h.digest('hex')}`;
}
