/**
 * Splits a Go text/template source into text and action pieces, and an
 * action into tokens. Follows Go's rules for the parts docker users write:
 * `{{- ` and ` -}}` trim the whitespace next to them (the space after or
 * before the dash is required, as in Go: `{{-3}}` is the number -3), and
 * `{{/* ... *\/}}` is a comment.
 */
import { TemplateError } from './error.js';

export type Piece = { kind: 'text'; text: string } | { kind: 'action'; src: string; pos: number };

export type Token =
  | { kind: 'field'; names: string[] } // .A.B, or . alone (names = [])
  | { kind: 'var'; name: string; names: string[] } // $x.A.B, $ alone
  | { kind: 'ident'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma' }
  | { kind: 'chain'; names: string[] }; // .A.B right after a ')'

/** Cuts the source into text and actions, applying trim markers. */
export function splitPieces(src: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNextText = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNextText) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text) pieces.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (/^- /.test(src.slice(start, start + 2)) || /^-[\t\r\n]/.test(src.slice(start, start + 2))) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) pieces.push({ kind: 'text', text });
    const close = findClose(src, start);
    if (close < 0) throw new TemplateError(`unclosed action`);
    let end = close;
    trimNextText = false;
    if (/[ \t\r\n]-$/.test(src.slice(close - 2, close))) {
      end = close - 1;
      trimNextText = true;
    }
    const body = src.slice(start, end).trim();
    if (!(body.startsWith('/*') && body.endsWith('*/'))) pieces.push({ kind: 'action', src: body, pos: open });
    i = close + 2;
  }
  return pieces;
}

/** Finds the `}}` that closes an action, skipping over quoted strings. */
function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"' || c === '`' || c === "'") {
      const q = c;
      i++;
      while (i < src.length && src[i] !== q) i += src[i] === '\\' && q !== '`' ? 2 : 1;
      i++;
      continue;
    }
    if (src.startsWith('}}', i)) return i;
    i++;
  }
  return -1;
}

const identChar = /[A-Za-z0-9_]/;

function readNames(s: string, i: number): { names: string[]; end: number } {
  const names: string[] = [];
  while (s[i] === '.' && i + 1 < s.length && identChar.test(s[i + 1] as string)) {
    let j = i + 1;
    while (j < s.length && identChar.test(s[j] as string)) j++;
    names.push(s.slice(i + 1, j));
    i = j;
  }
  return { names, end: i };
}

/** Tokenizes the inside of one action. */
export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '|') {
      out.push({ kind: 'pipe' });
      i++;
    } else if (c === '(') {
      out.push({ kind: 'lparen' });
      i++;
    } else if (c === ')') {
      out.push({ kind: 'rparen' });
      i++;
      const { names, end } = readNames(s, i);
      if (names.length) out.push({ kind: 'chain', names });
      i = end;
    } else if (c === ',') {
      out.push({ kind: 'comma' });
      i++;
    } else if (s.startsWith(':=', i)) {
      out.push({ kind: 'declare' });
      i += 2;
    } else if (c === '=') {
      out.push({ kind: 'assign' });
      i++;
    } else if (c === '.') {
      const { names, end } = readNames(s, i);
      out.push({ kind: 'field', names });
      i = names.length ? end : i + 1;
    } else if (c === '$') {
      let j = i + 1;
      while (j < s.length && identChar.test(s[j] as string)) j++;
      const { names, end } = readNames(s, j);
      out.push({ kind: 'var', name: s.slice(i, j), names });
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) throw new TemplateError('unterminated quoted string');
      out.push({ kind: 'string', value: JSON.parse(s.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError('unterminated raw quoted string');
      out.push({ kind: 'string', value: s.slice(i + 1, j) });
      i = j + 1;
    } else if (/[-+0-9]/.test(c)) {
      const m = /^[-+]?(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)/.exec(s.slice(i));
      if (!m) throw new TemplateError(`bad number syntax: ${JSON.stringify(s.slice(i))}`);
      out.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < s.length && identChar.test(s[j] as string)) j++;
      out.push({ kind: 'ident', name: s.slice(i, j) });
      i = j;
    } else {
      throw new TemplateError(`unexpected ${JSON.stringify(c)} in command`);
    }
  }
  return out;
}
