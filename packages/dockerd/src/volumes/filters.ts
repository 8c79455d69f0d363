/**
 * The filters of GET /volumes and POST /volumes/prune, in docker's JSON form
 * ({"key": {"value": true}} or the older {"key": ["value"]}). Unknown keys
 * are 400 with moby's text.
 */
import { invalidArgument } from '@berth/errors';
import type { Volume } from './store.js';

export type Filters = Map<string, string[]>;

export function parseFilters(raw: unknown, allowed: string[]): Filters {
  const out: Filters = new Map();
  if (raw === undefined || raw === '') return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch {
    throw invalidArgument(`invalid filter: ${String(raw)}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidArgument(`invalid filter: ${String(raw)}`);
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (!allowed.includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const values = Array.isArray(v) ? v.map(String) : Object.keys((v ?? {}) as Record<string, unknown>);
    out.set(k, values);
  }
  return out;
}

const truthy = (s: string) => s === '1' || s === 'true';

/** `label=k` (the label is set) or `label=k=v`; `label!=` for prune. */
export function labelsMatch(labels: Record<string, string> | null, want: string[], negate: boolean): boolean {
  if (want.length === 0) return true;
  const l = labels ?? {};
  const hit = (f: string) => {
    const i = f.indexOf('=');
    return i < 0 ? f in l : l[f.slice(0, i)] === f.slice(i + 1);
  };
  return negate ? !want.some(hit) : want.every(hit);
}

export function listMatches(f: Filters, v: Volume, inUse: boolean): boolean {
  const names = f.get('name') ?? [];
  if (names.length > 0 && !names.some((n) => v.name.includes(n))) return false;
  const drivers = f.get('driver') ?? [];
  if (drivers.length > 0 && !drivers.includes(v.driver)) return false;
  const dangling = f.get('dangling') ?? [];
  for (const d of dangling) {
    if (d !== 'true' && d !== 'false' && d !== '1' && d !== '0') throw invalidArgument(`invalid filter 'dangling=${d}'`);
    if (truthy(d) === inUse) return false;
  }
  return labelsMatch(v.labels, f.get('label') ?? [], false);
}
