/**
 * Parses Go text/template source into a tree: text, actions (pipelines),
 * if / else if / else, range (with `$i, $v :=`), with, and variables. The
 * subset docker users write; `define`, `template` and `block` are rejected.
 */
import { TemplateError } from './error.js';
import { splitPieces, tokenize, type Piece, type Token } from './lexer.js';

export type Arg =
  | { kind: 'field'; names: string[] }
  | { kind: 'var'; name: string; names: string[] }
  | { kind: 'func'; name: string }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'sub'; pipe: Pipe; names: string[] };

export interface Command {
  args: Arg[];
}

export interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe }
  | { kind: 'if' | 'range' | 'with'; pipe: Pipe; list: Node[]; elseList: Node[] };

export function parseTemplate(src: string): Node[] {
  const pieces = splitPieces(src);
  let i = 0;
  /** Parses nodes until `end` or `else`; returns which one stopped it. */
  const parseList = (inside: string | null): { list: Node[]; stop: 'end' | 'else' | 'eof'; elseTokens: Token[] } => {
    const list: Node[] = [];
    while (i < pieces.length) {
      const p = pieces[i++] as Piece;
      if (p.kind === 'text') {
        list.push({ kind: 'text', text: p.text });
        continue;
      }
      const tokens = tokenize(p.src);
      const head = tokens[0];
      const word = head?.kind === 'ident' ? head.name : '';
      if (word === 'end' || word === 'else') {
        if (!inside) throw new TemplateError(`unexpected {{${word}}}`);
        return { list, stop: word, elseTokens: tokens.slice(1) };
      }
      if (word === 'if' || word === 'range' || word === 'with') {
        list.push(parseBlock(word, tokens.slice(1)));
        continue;
      }
      if (['define', 'template', 'block'].includes(word)) throw new TemplateError(`{{${word}}} is not supported`);
      if (!tokens.length) throw new TemplateError('missing value for command');
      list.push({ kind: 'action', pipe: parsePipe(tokens) });
    }
    if (inside) throw new TemplateError(`unexpected EOF in ${inside}`);
    return { list, stop: 'eof', elseTokens: [] };
  };
  const parseBlock = (word: 'if' | 'range' | 'with', tokens: Token[]): Node => {
    if (!tokens.length) throw new TemplateError(`missing value for ${word}`);
    const pipe = parsePipe(tokens);
    const body = parseList(word);
    let elseList: Node[] = [];
    if (body.stop === 'else') {
      const chained = body.elseTokens[0];
      if (chained?.kind === 'ident' && (chained.name === 'if' || chained.name === 'with')) {
        // `else if` is an `if` nested in the else branch that shares this block's `end`
        elseList = [parseBlock(chained.name, body.elseTokens.slice(1))];
      } else {
        const rest = parseList(word);
        if (rest.stop !== 'end') throw new TemplateError(`expected end; found else`);
        elseList = rest.list;
      }
    }
    return { kind: word, pipe, list: body.list, elseList };
  };
  return parseList(null).list;
}

/** A pipeline: optional `$x :=` / `$i, $v :=` declaration, commands split by `|`. */
export function parsePipe(tokens: Token[]): Pipe {
  let pos = 0;
  const decl: string[] = [];
  let assign = false;
  const declEnd = tokens.findIndex((t) => t.kind === 'declare' || t.kind === 'assign');
  if (declEnd > 0 && tokens.slice(0, declEnd).every((t) => t.kind === 'var' || t.kind === 'comma')) {
    for (const t of tokens.slice(0, declEnd)) if (t.kind === 'var') decl.push(t.name);
    assign = tokens[declEnd]?.kind === 'assign';
    pos = declEnd + 1;
  }
  const { pipe, end } = parseCommands(tokens, pos);
  if (end !== tokens.length) throw new TemplateError(`unexpected ")" in command`);
  return { decl, assign, cmds: pipe };
}

function parseCommands(tokens: Token[], start: number): { pipe: Command[]; end: number } {
  const cmds: Command[] = [];
  let args: Arg[] = [];
  let i = start;
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (t.kind === 'rparen') break;
    i++;
    if (t.kind === 'pipe') {
      if (!args.length) throw new TemplateError('missing command');
      cmds.push({ args });
      args = [];
      continue;
    }
    if (t.kind === 'lparen') {
      const inner = parseCommands(tokens, i);
      if (tokens[inner.end]?.kind !== 'rparen') throw new TemplateError('unclosed left paren');
      i = inner.end + 1;
      const next = tokens[i];
      const names = next?.kind === 'chain' ? next.names : [];
      if (next?.kind === 'chain') i++;
      args.push({ kind: 'sub', pipe: { decl: [], assign: false, cmds: inner.pipe }, names });
      continue;
    }
    args.push(toArg(t));
  }
  if (!args.length) throw new TemplateError('missing command');
  cmds.push({ args });
  return { pipe: cmds, end: i };
}

function toArg(t: Token): Arg {
  switch (t.kind) {
    case 'field':
      return { kind: 'field', names: t.names };
    case 'var':
      return { kind: 'var', name: t.name, names: t.names };
    case 'string':
    case 'number':
      return { kind: 'literal', value: t.value };
    case 'ident':
      if (t.name === 'true' || t.name === 'false') return { kind: 'literal', value: t.name === 'true' };
      if (t.name === 'nil') return { kind: 'literal', value: null };
      return { kind: 'func', name: t.name };
    default:
      throw new TemplateError(`unexpected ${t.kind} in command`);
  }
}
