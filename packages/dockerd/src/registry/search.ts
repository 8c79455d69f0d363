/**
 * GET /images/search: a registry's v1 search API (`/v1/search?q=&n=`), as
 * moby's registry.Service.Search asks it. The term names its index as a
 * reference does ("127.0.0.1:5000/busy" -> 127.0.0.1:5000, "busybox" ->
 * Docker Hub's index.docker.io); the filters (is-official, stars, the
 * deprecated is-automated) are applied here, not by the registry.
 */
import { internal, invalidArgument } from '@berth/errors';
import { basic, type Credentials } from './auth.js';
import { registryBase } from './client.js';
import { probeRegistry } from './endpoint.js';
import { transportError } from './errors.js';
import { plainHttpAllowed } from './settings.js';
import { registryFetch } from './tls.js';

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

export type SearchFilters = Map<string, string[]>;

export const searchFilterKeys = new Set(['is-automated', 'is-official', 'stars']);

const defaultLimit = 25;

/** splitReposSearchTerm: the first path element is an index only when it looks like a host. */
export function splitSearchTerm(term: string): { index: string; remote: string } {
  const slash = term.indexOf('/');
  const first = slash < 0 ? term : term.slice(0, slash);
  if (slash < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return { index: 'docker.io', remote: term };
  return { index: first, remote: term.slice(slash + 1) };
}

/** The v1 endpoint of an index: Docker Hub's is index.docker.io, never registry-1. */
export function searchEndpoint(index: string): string {
  if (index === 'docker.io' || index === 'index.docker.io') return 'https://index.docker.io/v1/';
  return `${registryBase(index)}/v1/`;
}

/** filters.GetBoolOrDefault: "true"/"false" (any case) or moby's invalid filter error. */
function boolFilter(f: SearchFilters, key: string): boolean | undefined {
  const values = f.get(key);
  if (!values?.length) return undefined;
  const low = values.map((v) => v.toLowerCase());
  if (low.every((v) => v === 'true' || v === '1')) return true;
  if (low.every((v) => v === 'false' || v === '0')) return false;
  throw invalidArgument(`invalid filter '${key}=${values.join(',')}'`);
}

function starsFilter(f: SearchFilters): number | undefined {
  const values = f.get('stars');
  if (!values?.length) return undefined;
  let most = 0;
  for (const v of values) {
    if (!/^[+-]?\d+$/.test(v)) throw invalidArgument(`invalid filter 'stars=${v}': strconv.Atoi: parsing "${v}": invalid syntax`);
    most = Math.max(most, Number(v));
  }
  return most;
}

/** The unfiltered answer of the index for `term`, at most `limit` (1..100, 0 = 25) results. */
async function searchIndex(term: string, limit: number, creds: Credentials): Promise<SearchResult[]> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(term)) throw invalidArgument(`invalid repository name: repository name (${term}) should not have a scheme`);
  const n = limit === 0 ? defaultLimit : limit;
  if (n < 1 || n > 100) throw invalidArgument(`limit ${n} is outside the range of [1, 100]`);
  const { index, remote } = splitSearchTerm(term);
  const official = index === 'docker.io';
  const q = official ? remote.replace(/^library\//, '') : remote;
  if (!official) await probeRegistry(index);
  const url = `${searchEndpoint(index)}search?q=${encodeURIComponent(q)}&n=${n}`;
  const u = new URL(url);
  // a standalone registry gets the credentials as Basic auth, never in the clear to the network
  const b = basic(creds);
  const headers: Record<string, string> = { 'X-Docker-Token': 'true', ...(b && !official && (u.protocol === 'https:' || plainHttpAllowed(u.host)) ? { Authorization: b } : {}) };
  let res: Response;
  try {
    res = await registryFetch(u, { headers, redirect: 'follow' });
  } catch (err) {
    throw transportError(url, err);
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw internal(`Unexpected status code ${res.status}`);
  }
  try {
    const doc = (await res.json()) as { results?: Array<Partial<SearchResult>> };
    return (doc.results ?? []).map((r) => ({
      name: String(r.name ?? ''),
      description: String(r.description ?? ''),
      star_count: Number(r.star_count ?? 0),
      is_official: r.is_official === true,
      is_automated: r.is_automated === true,
    }));
  } catch (err) {
    throw internal(`error decoding registry search results: ${(err as Error).message}`);
  }
}

export async function searchImages(term: string, limit: number, filters: SearchFilters, creds: Credentials = {}): Promise<SearchResult[]> {
  for (const key of filters.keys()) if (!searchFilterKeys.has(key)) throw invalidArgument(`invalid filter '${key}'`);
  // "is-automated" is deprecated: filtering for true yields nothing
  if (boolFilter(filters, 'is-automated') === true) return [];
  const official = boolFilter(filters, 'is-official');
  const stars = starsFilter(filters);
  const all = await searchIndex(term, limit, creds);
  return all
    .filter((r) => (official === undefined || r.is_official === official) && (stars === undefined || r.star_count >= stars))
    // Docker Hub's is_automated is untrustworthy: moby reports false for all
    .map((r) => ({ ...r, is_automated: false }));
}
