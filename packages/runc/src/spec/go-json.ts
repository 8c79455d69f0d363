/**
 * A small encoder that writes JSON the way Go's encoding/json does (as built
 * into runc 1.1.5, go1.19), so the files and outputs berth-runc writes are
 * byte-identical to runc's. What differs from JSON.stringify:
 *
 * - `<`, `>`, `&`, U+2028 and U+2029 are escaped (\u003c ...), as Go's
 *   HTML-safe default does; control characters other than \n \r \t use the
 *   \u00XX form with lowercase hex (go1.19 has no \b or \f short forms).
 * - A lone UTF-16 surrogate becomes a raw U+FFFD: that is what Go prints after
 *   decoding a "\ud800" escape, the only way such a string can reach it.
 * - Struct fields come in declaration order (the caller builds a GoObject in
 *   that order); map keys are sorted by their UTF-8 bytes (goMap).
 * - MarshalIndent layout: `"key": value`, one element per line, and empty
 *   arrays and objects stay `[]` / `{}`.
 *
 * Verified against real runc output in go-json.test.ts (via `runc state`,
 * which prints the config's annotations map).
 */
import { invalidArgument } from '@berth/errors';

/** An object whose members are written in exactly this order. */
export class GoObject {
  constructor(readonly entries: ReadonlyArray<readonly [string, GoNode]>) {}
}

export type GoNode = null | boolean | number | bigint | string | GoObject | readonly GoNode[];

/** Go's sort.Strings order: byte-wise on UTF-8, not JS's UTF-16 code units. */
export function goStringCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function goSortStrings(values: Iterable<string>): string[] {
  return [...values].sort(goStringCompare);
}

/** A Go map[string]T: members sorted by key bytes, as encoding/json writes maps. */
export function goMap(entries: Iterable<readonly [string, GoNode]>): GoObject {
  return new GoObject([...entries].sort((x, y) => goStringCompare(x[0], y[0])));
}

const HEX = '0123456789abcdef';

export function goQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\ufffd';
      }
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += '\\u' + HEX[(c >> 12) & 15]! + HEX[(c >> 8) & 15]! + HEX[(c >> 4) & 15]! + HEX[c & 15]!;
      continue;
    }
    out += s[i]!;
  }
  return out + '"';
}

/**
 * A JS number as Go writes a float64 (the type interface{} decodes numbers
 * to). Go and JS pick the same shortest digits and switch to exponent form at
 * the same thresholds (<1e-6, >=1e21); only -0 differs.
 */
export function goFloat(n: number, where = 'value'): string {
  if (!Number.isFinite(n)) throw invalidArgument(`${where}: ${n} cannot be written as JSON`);
  return Object.is(n, -0) ? '-0' : String(n);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * An integer field of a Go struct (int64 or uint64 at most). Values past 2^53
 * have lost precision in a JS number; clamping to the Go type's range makes the
 * common cases come back exactly: JSON.parse turns 18446744073709551615
 * (RLIM_INFINITY as a uint64) into 2^64, which is written back as 2^64-1.
 */
export function goInteger(n: number | bigint, unsigned: boolean, where: string): string {
  if (typeof n === 'number' && !Number.isInteger(n)) {
    throw invalidArgument(`${where}: expected an integer, got ${n}`);
  }
  if (typeof n === 'number' && Number.isSafeInteger(n)) {
    if (unsigned && n < 0) throw invalidArgument(`${where}: expected an unsigned integer, got ${n}`);
    return String(n);
  }
  let b = BigInt(n);
  if (unsigned && b < 0n) throw invalidArgument(`${where}: expected an unsigned integer, got ${b}`);
  const [min, max] = unsigned ? [0n, UINT64_MAX] : [INT64_MIN, INT64_MAX];
  if (b > max) b = max;
  if (b < min) b = min;
  return b.toString();
}

/**
 * Any JSON-shaped JS value, for fields the caller has no schema for. Objects
 * keep their insertion order (like a json.RawMessage would); pass
 * sortObjects to get Go's map[string]interface{} order instead.
 */
export function goPlain(value: unknown, where = 'value', sortObjects = false): GoNode {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
    case 'bigint':
      return value;
    case 'number':
      goFloat(value, where);
      return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => goPlain(v, `${where}[${i}]`, sortObjects));
  if (value instanceof GoObject) return value;
  if (typeof value === 'object') {
    const entries: [string, GoNode][] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) entries.push([k, goPlain(v, `${where}.${k}`, sortObjects)]);
    }
    return sortObjects ? goMap(entries) : new GoObject(entries);
  }
  throw invalidArgument(`${where}: a ${typeof value} cannot be written as JSON`);
}

function scalar(node: boolean | number | bigint | string): string {
  switch (typeof node) {
    case 'boolean':
      return node ? 'true' : 'false';
    case 'number':
      return goFloat(node);
    case 'bigint':
      return node.toString();
    default:
      return goQuote(node);
  }
}

/** json.MarshalIndent(v, prefix, indent). No trailing newline, like Go. */
export function goMarshalIndent(node: GoNode, prefix: string, indent: string): string {
  const parts: string[] = [];
  const write = (n: GoNode, depth: number): void => {
    if (n === null) {
      parts.push('null');
      return;
    }
    if (n instanceof GoObject || Array.isArray(n)) {
      const isObj = n instanceof GoObject;
      const items: readonly (readonly [string, GoNode] | GoNode)[] = isObj ? n.entries : (n as readonly GoNode[]);
      const [open, close] = isObj ? ['{', '}'] : ['[', ']'];
      if (items.length === 0) {
        parts.push(open + close);
        return;
      }
      const inner = '\n' + prefix + indent.repeat(depth + 1);
      parts.push(open);
      items.forEach((item, i) => {
        parts.push(i === 0 ? inner : ',' + inner);
        if (isObj) {
          const [k, v] = item as readonly [string, GoNode];
          parts.push(goQuote(k) + ': ');
          write(v, depth + 1);
        } else {
          write(item as GoNode, depth + 1);
        }
      });
      parts.push('\n' + prefix + indent.repeat(depth) + close);
      return;
    }
    parts.push(scalar(n as boolean | number | bigint | string));
  };
  write(node, 0);
  return parts.join('');
}
