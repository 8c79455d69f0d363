/**
 * The tokenizer of containerd's filter syntax (filters/scanner.go): fields,
 * operators (==, !=, ~=), values, quoted strings ("...", and /.../ or |...| for
 * regular expressions) and the separators ',' and '.'.
 */
export type TokenKind = 'eof' | 'quoted' | 'value' | 'field' | 'separator' | 'operator' | 'illegal' | 'char';

export interface Token {
  kind: TokenKind;
  pos: number;
  text: string;
}

const isFieldChar = (c: string) => /^[A-Za-z0-9_]$/.test(c);
const isQuoteChar = (c: string) => c === '/' || c === '|' || c === '"';
const isOperatorChar = (c: string) => c === '=' || c === '!' || c === '~';
const isSpace = (c: string) => /^\s$/u.test(c);
// Go's unicode.IsLetter/IsDigit/IsGraphic/IsPunct, minus ',' and spaces.
const isValueChar = (c: string) => c !== ',' && !isSpace(c) && /^[\p{L}\p{N}\p{P}\p{S}\p{M}]$/u.test(c);

export class Scanner {
  private pos = 0;
  /** Set after an operator: the next bare word is a value, not a field. */
  private inValue = false;
  error = '';

  constructor(readonly input: string) {}

  get position(): number {
    return this.pos;
  }

  /** The next character without consuming it; '' at the end. */
  peek(): string {
    return this.input[this.pos] ?? '';
  }

  scan(): Token {
    while (this.pos < this.input.length && isSpace(this.input[this.pos]!)) this.pos++;
    const start = this.pos;
    const c = this.input[this.pos];
    if (c === undefined) return { kind: 'eof', pos: start, text: '' };
    if (c === '\0') {
      this.setError('unexpected null');
      this.pos++;
      return { kind: 'illegal', pos: start, text: c };
    }
    this.pos++;
    if (isQuoteChar(c)) {
      const ok = this.scanQuoted(c);
      return { kind: ok ? 'quoted' : 'illegal', pos: start, text: this.input.slice(start, this.pos) };
    }
    if (c === ',' || c === '.') {
      this.inValue = false;
      return { kind: 'separator', pos: start, text: c };
    }
    if (isOperatorChar(c)) {
      while (isOperatorChar(this.peek())) this.pos++;
      this.inValue = true;
      return { kind: 'operator', pos: start, text: this.input.slice(start, this.pos) };
    }
    if (this.inValue && isValueChar(c)) {
      while (this.peek() !== '' && isValueChar(this.peek())) this.pos++;
      this.inValue = false;
      return { kind: 'value', pos: start, text: this.input.slice(start, this.pos) };
    }
    if (isFieldChar(c)) {
      while (isFieldChar(this.peek())) this.pos++;
      return { kind: 'field', pos: start, text: this.input.slice(start, this.pos) };
    }
    return { kind: 'char', pos: start, text: c };
  }

  private scanQuoted(quote: string): boolean {
    let legal = true;
    for (;;) {
      const c = this.input[this.pos];
      if (c === undefined || c === '\n') {
        this.setError('quoted literal not terminated');
        return false;
      }
      this.pos++;
      if (c === quote) return legal;
      if (c === '\\') {
        const e = this.input[this.pos];
        this.pos++;
        const hex = { x: 2, u: 4, U: 8 }[e ?? ''];
        if (e !== undefined && 'abfnrtv\\'.includes(e)) continue;
        if (e === quote) continue;
        if (e !== undefined && e >= '0' && e <= '7') legal = this.scanDigits(8, 2) && legal;
        else if (hex !== undefined) legal = this.scanDigits(16, hex) && legal;
        else {
          this.setError('illegal escape sequence');
          legal = false;
        }
      }
    }
  }

  private scanDigits(base: number, n: number): boolean {
    for (; n > 0; n--) {
      const c = this.peek();
      if (c === '' || Number.isNaN(parseInt(c, base))) {
        this.setError('illegal numeric escape sequence');
        return false;
      }
      this.pos++;
    }
    return true;
  }

  private setError(msg: string): void {
    if (this.error === '') this.error = msg;
  }
}

/** Removes the quotes of a quoted token and resolves its escapes. */
export function unquote(text: string): string {
  const quote = text[0]!;
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i]!;
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e in simple) out += simple[e];
    else if (e === quote) out += quote;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = { x: 2, u: 4, U: 8 }[e];
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + n), 16));
      i += n;
    } else {
      out += String.fromCodePoint(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    }
  }
  return out;
}
