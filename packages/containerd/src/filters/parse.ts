/**
 * The parser of containerd's filter grammar (filters/parser.go):
 *
 *   selectors := selector ("," selector)*
 *   selector  := fieldpath (operator value)
 *   fieldpath := field ('.' field)*
 *   operator  := "==" | "!=" | "~="
 *   value     := quoted | [^\s,]+
 *
 * Errors are InvalidArgument with containerd's message shape:
 * `filters: parse error: [before >|at|< after]: what`.
 */
import { invalidArgument } from '@berth/errors';
import { Filter, FilterSet, type Operator, type Selector } from './filter.js';
import { Scanner, unquote, type Token } from './scanner.js';

class Parser {
  private readonly scanner: Scanner;

  constructor(private readonly input: string) {
    this.scanner = new Scanner(input);
  }

  parse(): Filter {
    const selectors = [this.selector()];
    for (;;) {
      const next = this.scanner.peek();
      if (next === '') return new Filter(selectors);
      if (next !== ',') throw this.error(this.scanner.position, `unexpected input: ${next}`);
      this.scanner.scan();
      selectors.push(this.selector());
    }
  }

  private selector(): Selector {
    const fieldpath = this.fieldpath();
    const next = this.scanner.peek();
    if (next === '' || next === ',') return { fieldpath, operator: 'present', value: '' };
    const operator = this.operator();
    const tok = this.scanner.scan();
    switch (tok.kind) {
      case 'value':
      case 'field':
        return { fieldpath, operator, value: tok.text };
      case 'quoted':
        return { fieldpath, operator, value: this.unquote(tok, operator === '~=') };
      case 'illegal':
        throw this.error(tok.pos, this.scanner.error);
      default:
        throw this.error(tok.pos, 'expected value or quoted');
    }
  }

  private fieldpath(): string[] {
    const fields = [this.field()];
    while (this.scanner.peek() === '.') {
      this.scanner.scan();
      fields.push(this.field());
    }
    return fields;
  }

  private field(): string {
    const tok = this.scanner.scan();
    if (tok.kind === 'field') return tok.text;
    if (tok.kind === 'quoted') return this.unquote(tok, false);
    if (tok.kind === 'illegal') throw this.error(tok.pos, this.scanner.error);
    throw this.error(tok.pos, 'expected field or quoted');
  }

  private operator(): Operator {
    const tok = this.scanner.scan();
    if (tok.kind === 'operator') {
      if (tok.text === '==' || tok.text === '!=' || tok.text === '~=') return tok.text;
      throw this.error(tok.pos, `unsupported operator ${JSON.stringify(tok.text)}`);
    }
    if (tok.kind === 'illegal') throw this.error(tok.pos, this.scanner.error);
    throw this.error(tok.pos, 'expected an operator ("=="|"!="|"~=")');
  }

  private unquote(tok: Token, allowAltQuotes: boolean): string {
    if (!allowAltQuotes && tok.text[0] !== '"') throw this.error(tok.pos, 'invalid quote encountered');
    return unquote(tok.text);
  }

  private error(pos: number, msg: string): Error {
    const where =
      pos < this.input.length
        ? `[${this.input.slice(0, pos)} >|${this.input[pos]}|< ${this.input.slice(pos + 1)}]`
        : `[${this.input}]`;
    return invalidArgument(`filters: parse error: ${where}: ${msg}`);
  }
}

/** Parses one filter string; "" matches everything. */
export function parseFilter(input: string): Filter {
  if (input === '') return new Filter([]);
  return new Parser(input).parse();
}

/** Parses the `filters` of a List request: any of them may match. */
export function parseFilters(inputs: readonly string[]): FilterSet {
  return new FilterSet(inputs.map(parseFilter));
}
