/**
 * The Dockerfile's word rules (moby's shell lexer, the part the classic
 * builder uses): single quotes literal, double quotes with `$` expansion and
 * escapes, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` (and the forms
 * without the colon), unquoted whitespace splitting words.
 */
import { invalidArgument } from '@berth/errors';

export type Vars = ReadonlyMap<string, string>;

function readVar(s: string, i: number, vars: Vars): { value: string; next: number } {
  // s[i] === '$'
  const c = s[i + 1];
  if (c === '{') {
    const end = s.indexOf('}', i + 2);
    if (end < 0) throw invalidArgument(`failed to process "${s}": missing '}'`);
    const body = s.slice(i + 2, end);
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(?:(:?)([-+])([\s\S]*))?$/.exec(body);
    if (!m || m[1] === undefined) throw invalidArgument(`failed to process "${s}": bad substitution`);
    const set = vars.has(m[1]);
    const val = vars.get(m[1]) ?? '';
    const colon = m[2] === ':';
    const present = colon ? val !== '' : set;
    let value = val;
    if (m[3] === '-') value = present ? val : expandWord(m[4] ?? '', vars);
    else if (m[3] === '+') value = present ? expandWord(m[4] ?? '', vars) : '';
    return { value, next: end + 1 };
  }
  const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i + 1));
  if (!m) return { value: '$', next: i + 1 };
  return { value: vars.get(m[0]) ?? '', next: i + 1 + m[0].length };
}

/** Splits into words, removing quotes and expanding variables (vars undefined: no expansion). */
export function splitWords(s: string, vars: Vars | undefined, escape = '\\', split = true): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (split && /\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === escape) {
      cur += s[i + 1] ?? '';
      i += 2;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw invalidArgument(`unexpected end of statement while looking for matching single-quote`);
      cur += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        const d = s[i] ?? '';
        if (d === escape && (s[i + 1] === '"' || s[i + 1] === '$' || s[i + 1] === escape)) {
          cur += s[i + 1];
          i += 2;
        } else if (d === '$' && vars) {
          const v = readVar(s, i, vars);
          cur += v.value;
          i = v.next;
        } else {
          cur += d;
          i++;
        }
      }
      if (i >= s.length) throw invalidArgument(`unexpected end of statement while looking for matching double-quote`);
      i++;
    } else if (c === '$' && vars) {
      const v = readVar(s, i, vars);
      cur += v.value;
      i = v.next;
    } else {
      cur += c;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** One word: quotes removed, variables expanded, whitespace kept. */
export function expandWord(s: string, vars: Vars): string {
  return splitWords(s, vars, '\\', false).join('');
}

/**
 * ENV/LABEL/ARG pairs: `k=v k2="v 2"`, or the legacy `k v with spaces`
 * (ENV and LABEL only: one pair, the rest of the line its value).
 */
export function parsePairs(args: string, vars: Vars | undefined, legacy: boolean, what: string): [string, string][] {
  const words = splitWords(args, vars);
  if (words.length === 0) throw invalidArgument(`${what} requires at least one argument`);
  const first = words[0] ?? '';
  if (!first.includes('=')) {
    if (!legacy) return words.map((w) => [w, ''] as [string, string]);
    if (words.length < 2) throw invalidArgument(`${what} must have two arguments`);
    const rest = args.trim().slice(args.trim().search(/\s/)).trim();
    return [[first, vars ? expandWord(rest, vars) : rest]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw invalidArgument(`${what} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)] as [string, string];
  });
}
