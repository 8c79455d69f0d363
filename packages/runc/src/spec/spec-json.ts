/**
 * formatSpec: a Spec written exactly as runc writes config.json
 * (json.MarshalIndent(spec, "", "\t"), no trailing newline), with the Go field
 * order and omitempty rules from spec-schema.ts. Values of the wrong JSON type
 * are refused with an error naming the field: Go could not have decoded them
 * into the struct either, so writing them would only move the failure to runc.
 */
import { invalidArgument } from '@berth/errors';
import { GoObject, type GoNode, goInteger, goMap, goMarshalIndent, goPlain } from './go-json.js';
import { SPEC_TYPE, type GoField, type GoType } from './spec-schema.js';
import type { Spec } from './types.js';

const isNil = (v: unknown): v is null | undefined => v === undefined || v === null;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The Go zero value of a non-pointer field that is absent. */
function zeroOf(type: GoType): unknown {
  switch (type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
    case 'uint':
      return 0;
    case 'any':
      return null;
  }
  return 'struct' in type ? {} : null;
}

function isEmpty(type: GoType, v: unknown): boolean {
  if (typeof type === 'object' && 'struct' in type) return false; // Go never omits a struct value
  if (isNil(v)) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof type === 'object' && 'map' in type && isObject(v)) {
    return Object.values(v).every((x) => x === undefined);
  }
  return v === '' || v === false || v === 0 || v === 0n;
}

/** A JS value as the Go type `type` would marshal it; `where` names it in errors. */
export function encodeGo(type: GoType, v: unknown, where: string): GoNode {
  if (type === 'any') return goPlain(v, where);
  if (type === 'string' || type === 'bool') {
    if (typeof v !== (type === 'string' ? 'string' : 'boolean')) {
      throw invalidArgument(`${where}: expected a ${type === 'string' ? 'string' : 'boolean'}`);
    }
    return v as string | boolean;
  }
  if (type === 'int' || type === 'uint') {
    if (typeof v !== 'number' && typeof v !== 'bigint') throw invalidArgument(`${where}: expected a number`);
    return BigInt(goInteger(v, type === 'uint', where));
  }
  if (v === null) return null; // a nil slice or map where the field has no omitempty
  if ('slice' in type) {
    if (!Array.isArray(v)) throw invalidArgument(`${where}: expected an array`);
    return v.map((e: unknown, i) => encodeGo(type.slice, isNil(e) ? zeroOf(type.slice) : e, `${where}[${i}]`));
  }
  if (!isObject(v)) throw invalidArgument(`${where}: expected an object`);
  if ('map' in type) {
    const entries: [string, GoNode][] = [];
    for (const [k, e] of Object.entries(v)) {
      if (e !== undefined) entries.push([k, encodeGo(type.map, e === null ? zeroOf(type.map) : e, `${where}.${k}`)]);
    }
    return goMap(entries);
  }
  return encodeStruct(type.struct, v, where);
}

function encodeStruct(fields: readonly GoField[], v: Record<string, unknown>, where: string): GoObject {
  const entries: [string, GoNode][] = [];
  const known = new Set<string>();
  for (const f of fields) {
    known.add(f.key);
    const path = where ? `${where}.${f.key}` : f.key;
    let value = v[f.key];
    if (f.pointer) {
      if (isNil(value)) {
        if (!f.omitEmpty) entries.push([f.key, null]);
        continue;
      }
    } else {
      if (isNil(value)) value = zeroOf(f.type);
      if (f.omitEmpty && isEmpty(f.type, value)) continue;
    }
    entries.push([f.key, encodeGo(f.type, value, path)]);
  }
  for (const [k, e] of Object.entries(v)) {
    if (!known.has(k) && e !== undefined) entries.push([k, goPlain(e, where ? `${where}.${k}` : k)]);
  }
  return new GoObject(entries);
}

/** The exact bytes runc writes to config.json for this spec (no trailing newline). */
export function formatSpec(spec: Spec): string {
  if (!isObject(spec)) throw invalidArgument('spec: expected an object');
  return goMarshalIndent(encodeGo(SPEC_TYPE, spec, ''), '', '\t');
}
