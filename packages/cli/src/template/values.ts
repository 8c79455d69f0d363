/**
 * How Go's text/template sees JSON values: truth, printing (fmt's %v) and
 * field lookup. Data reaches the CLI as JSON whose keys are the json tags of
 * docker's Go structs ("ApiVersion"), while templates name the Go fields
 * ("APIVersion", "ID"): a field matches its key exactly, or else ignoring case.
 */
import { TemplateError } from './error.js';

export type Value = unknown;

export function isRecord(v: Value): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false. */
export function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isRecord(v)) return Object.keys(v).length > 0;
  return true;
}

/** fmt.Sprint of one value (%v). */
export function printValue(v: Value): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(inner).join(' ')}]`;
  if (isRecord(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${inner(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Inside a slice or map fmt prints nil as <nil>, never <no value>. */
function inner(v: Value): string {
  return v === undefined ? '<nil>' : printValue(v);
}

/** Looks a field up as described above; undefined when there is none. */
export function field(v: Value, name: string): Value {
  if (!isRecord(v)) return undefined;
  if (name in v) return v[name];
  const lower = name.toLowerCase();
  const key = Object.keys(v).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : v[key];
}

/** A chain of fields; like Go, stepping into nil is an error, not a blank. */
export function fields(v: Value, names: string[]): Value {
  return names.reduce<Value>((acc, n, i) => {
    if (acc === null || acc === undefined) throw new TemplateError(`nil pointer evaluating .${names.slice(0, i).join('.')}.${n}`);
    return field(acc, n);
  }, v);
}
