/**
 * The functions a docker --format template can call: Go's builtins that docker
 * users use (and, or, not, len, index, print, printf, println, eq, ne, lt, le,
 * gt, ge, slice) and the ones docker's templates package adds (json, split,
 * join, title, lower, upper, pad, truncate).
 */
import { TemplateError } from './error.js';
import { isRecord, printValue, truthy, type Value } from './values.js';

export type TemplateFunc = (...args: Value[]) => Value;

const str = (v: Value): string => (typeof v === 'string' ? v : printValue(v));
const num = (v: Value, fn: string): number => {
  if (typeof v === 'number') return v;
  throw new TemplateError(`${fn}: expected a number, got ${printValue(v)}`);
};

/** fmt.Sprint: a space between operands when neither side is a string. */
function sprint(args: Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += str(a);
  });
  return out;
}

/** A small fmt.Sprintf: %v %s %d %q %f %t %x %%, with width and '-' flags. */
function sprintf(format: Value, ...args: Value[]): string {
  let n = 0;
  return str(format).replace(/%([-0]?)(\d*)(?:\.(\d+))?([vsdqftx%])/g, (_m, flag: string, width: string, prec: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[n++];
    let s: string;
    if (verb === 'q') s = JSON.stringify(str(a));
    else if (verb === 'f') s = typeof a === 'number' ? a.toFixed(prec ? Number(prec) : 6) : str(a);
    else if (verb === 'x') s = typeof a === 'number' ? a.toString(16) : Buffer.from(str(a)).toString('hex');
    else s = str(a);
    const w = Number(width || 0);
    if (s.length >= w) return s;
    if (flag === '-') return s.padEnd(w);
    return s.padStart(w, flag === '0' ? '0' : ' ');
  });
}

function compare(a: Value, b: Value, fn: string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateError(`${fn}: incompatible types for comparison`);
}

function basicEq(a: Value, b: Value): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a !== null && typeof a === 'object') throw new TemplateError('eq: non-comparable type');
  return a === b;
}

function index(v: Value, ...keys: Value[]): Value {
  let cur = v;
  for (const k of keys) {
    if (Array.isArray(cur) && typeof k === 'number') {
      if (k < 0 || k >= cur.length) throw new TemplateError(`index: index out of range: ${k}`);
      cur = cur[k];
    } else if (isRecord(cur)) {
      cur = cur[str(k)];
    } else if (cur === null || cur === undefined) {
      return undefined;
    } else {
      throw new TemplateError(`index: can't index item of type ${typeof cur}`);
    }
  }
  return cur;
}

function len(v: Value): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isRecord(v)) return Object.keys(v).length;
  throw new TemplateError(`len: error calling len: len of type ${v === null ? 'nil' : typeof v}`);
}

/** strings.Title: upper-cases the first letter of each word. */
const title = (s: Value): string => str(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase());

export const funcs: Record<string, TemplateFunc> = {
  // docker's additions (cli/templates/templates.go)
  json: (v) => JSON.stringify(v === undefined ? null : v) ?? 'null',
  split: (s, sep) => str(s).split(str(sep)),
  join: (a, sep) => (Array.isArray(a) ? a.map(str).join(str(sep)) : str(a)),
  title,
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  pad: (s, prefix, suffix) => ' '.repeat(num(prefix, 'pad')) + str(s) + ' '.repeat(num(suffix, 'pad')),
  truncate: (s, n) => {
    const text = str(s);
    return text.length < num(n, 'truncate') ? text : text.slice(0, num(n, 'truncate'));
  },
  // Go's builtins
  print: (...args) => sprint(args),
  println: (...args) => `${args.map(str).join(' ')}\n`,
  printf: sprintf,
  len,
  index,
  slice: (v, a, b) => {
    if (typeof v !== 'string' && !Array.isArray(v)) throw new TemplateError("slice: can't slice item");
    return v.slice(a === undefined ? 0 : num(a, 'slice'), b === undefined ? undefined : num(b, 'slice'));
  },
  not: (v) => !truthy(v),
  and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
  eq: (a, ...rest) => rest.some((b) => basicEq(a, b)),
  ne: (a, b) => !basicEq(a, b),
  lt: (a, b) => compare(a, b, 'lt') < 0,
  le: (a, b) => compare(a, b, 'le') <= 0,
  gt: (a, b) => compare(a, b, 'gt') > 0,
  ge: (a, b) => compare(a, b, 'ge') >= 0,
};
