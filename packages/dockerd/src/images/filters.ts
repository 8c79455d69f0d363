/**
 * GET /images/json filters (dangling, reference, label, before, since), in
 * moby's `filters` JSON ({"key":{"value":true}} or the old {"key":["value"]}).
 */
import { invalidArgument } from '@berth/errors';
import { familiarName, familiarRepository, parseReference } from './reference.js';
import { danglingPrefix, type DockerImage } from './store.js';
import { createdDate, imageLabels, repoTags } from './views.js';

export type Filters = Map<string, string[]>;

const known = new Set(['dangling', 'reference', 'label', 'before', 'since']);

export function parseFilters(raw: unknown, allowed: Set<string> = known): Filters {
  const out: Filters = new Map();
  if (typeof raw !== 'string' || raw === '') return out;
  let doc: unknown;
  try { doc = JSON.parse(raw); } catch { throw invalidArgument(`invalid filter: ${raw}`); }
  for (const [key, v] of Object.entries((doc ?? {}) as Record<string, unknown>)) {
    if (!allowed.has(key)) throw invalidArgument(`invalid filter '${key}'`);
    out.set(key, Array.isArray(v) ? v.map(String) : Object.keys((v ?? {}) as object));
  }
  return out;
}

/** path.Match-style glob: `*` within one path element, `?` one character. */
function globRe(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** Whether a record name matches one of the reference patterns (familiar repo or repo:tag). */
export function referenceMatcher(patterns: string[]): (name: string) => boolean {
  const res = patterns.map(globRe);
  return (n) => res.some((re) => re.test(familiarName(n)) || re.test(familiarRepository(parseReference(n).repository)));
}

function matchesReference(img: DockerImage, patterns: string[]): boolean {
  const match = referenceMatcher(patterns);
  return img.records.some((r) => !r.name.startsWith(danglingPrefix) && match(r.name));
}

function matchesLabels(img: DockerImage, wanted: string[]): boolean {
  const labels = imageLabels(img);
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? w in labels : labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

/** Applies the filters; before/since name images, resolved by `lookup`. */
export function applyFilters(images: DockerImage[], f: Filters, lookup: (ref: string) => DockerImage | undefined): DockerImage[] {
  const time = (img: DockerImage) => createdDate(img)?.getTime() ?? 0;
  const bound = (key: string): number | undefined => {
    const ref = f.get(key)?.[0];
    if (ref === undefined) return undefined;
    const img = lookup(ref);
    if (!img) throw invalidArgument(`No such image: ${ref}`);
    return time(img);
  };
  const before = bound('before');
  const since = bound('since');
  const dangling = f.get('dangling')?.[0];
  if (dangling !== undefined && dangling !== 'true' && dangling !== 'false' && dangling !== '1' && dangling !== '0') {
    throw invalidArgument(`Invalid filter 'dangling=${dangling}'`);
  }
  return images.filter((img) => {
    if (dangling !== undefined && (repoTags(img).length === 0) !== (dangling === 'true' || dangling === '1')) return false;
    const refs = f.get('reference');
    if (refs?.length && !matchesReference(img, refs)) return false;
    const labels = f.get('label');
    if (labels?.length && !matchesLabels(img, labels)) return false;
    if (before !== undefined && time(img) >= before) return false;
    if (since !== undefined && time(img) <= since) return false;
    return true;
  });
}
