/**
 * Executes a parsed template against a JSON value, the way Go's text/template
 * does: dot moves with range and with, `$` is the data, variables are scoped
 * to their block, and each pipeline's value feeds the next command as its last
 * argument.
 */
import { TemplateError } from './error.js';
import { funcs } from './funcs.js';
import type { Arg, Command, Node, Pipe } from './parser.js';
import { fields, isRecord, printValue, truthy, type Value } from './values.js';

export interface ExecOptions {
  /** Replaces field lookup (table headers evaluate `.Name` to a column title). */
  lookup?: (dot: Value, names: string[]) => Value;
}

class Scope {
  private readonly frames: Map<string, Value>[] = [new Map()];
  constructor(root: Value) {
    this.set('$', root);
  }
  push(): void {
    this.frames.push(new Map());
  }
  pop(): void {
    this.frames.pop();
  }
  set(name: string, v: Value): void {
    (this.frames[this.frames.length - 1] as Map<string, Value>).set(name, v);
  }
  assign(name: string, v: Value): void {
    const f = [...this.frames].reverse().find((m) => m.has(name));
    if (!f) throw new TemplateError(`undefined variable: ${name}`);
    f.set(name, v);
  }
  get(name: string): Value {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i] as Map<string, Value>;
      if (f.has(name)) return f.get(name);
    }
    throw new TemplateError(`undefined variable: ${name}`);
  }
}

export function execute(nodes: Node[], data: Value, opts: ExecOptions = {}): string {
  const scope = new Scope(data);
  const lookup = opts.lookup ?? fields;
  let out = '';

  const evalArg = (a: Arg, dot: Value): Value => {
    switch (a.kind) {
      case 'field':
        return a.names.length ? lookup(dot, a.names) : dot;
      case 'var':
        return a.names.length ? lookup(scope.get(a.name), a.names) : scope.get(a.name);
      case 'literal':
        return a.value;
      case 'sub': {
        const v = evalPipe(a.pipe, dot);
        return a.names.length ? lookup(v, a.names) : v;
      }
      case 'func':
        return callFunc(a.name, [], dot);
    }
  };
  const callFunc = (name: string, args: Arg[], dot: Value, piped?: { value: Value }): Value => {
    const fn = funcs[name];
    if (!fn) throw new TemplateError(`function "${name}" not defined`);
    const values = args.map((x) => evalArg(x, dot));
    if (piped) values.push(piped.value);
    return fn(...values);
  };
  const evalCommand = (cmd: Command, dot: Value, piped?: { value: Value }): Value => {
    const [head, ...rest] = cmd.args as [Arg, ...Arg[]];
    if (head.kind === 'func') return callFunc(head.name, rest, dot, piped);
    if (rest.length || piped) {
      // a method of the data ({{.Label "k"}} in docker's ps rows): called with the arguments
      const method = head.kind === 'literal' ? undefined : evalArg(head, dot);
      if (typeof method !== 'function') throw new TemplateError(`can't give argument to non-function ${describe(head)}`);
      const values = rest.map((x) => evalArg(x, dot));
      if (piped) values.push(piped.value);
      return (method as (...a: Value[]) => Value)(...values);
    }
    return evalArg(head, dot);
  };
  const evalPipe = (pipe: Pipe, dot: Value): Value => {
    let piped: { value: Value } | undefined;
    for (const cmd of pipe.cmds) piped = { value: evalCommand(cmd, dot, piped) };
    const value = piped?.value;
    for (const name of pipe.decl) {
      if (pipe.assign) scope.assign(name, value);
      else scope.set(name, value);
    }
    return value;
  };
  const walk = (list: Node[], dot: Value): void => {
    for (const node of list) {
      if (node.kind === 'text') {
        out += node.text;
      } else if (node.kind === 'action') {
        const v = evalPipe(node.pipe, dot);
        if (!node.pipe.decl.length) out += printValue(v);
      } else if (node.kind === 'range') {
        scope.push();
        rangeOver(node.pipe, node.list, node.elseList, dot);
        scope.pop();
      } else {
        scope.push();
        const v = evalPipe(node.pipe, dot);
        if (truthy(v)) walk(node.list, node.kind === 'with' ? v : dot);
        else walk(node.elseList, dot);
        scope.pop();
      }
    }
  };
  const rangeOver = (pipe: Pipe, list: Node[], elseList: Node[], dot: Value): void => {
    const v = evalPipe({ ...pipe, decl: [] }, dot);
    let entries: [Value, Value][] = [];
    if (Array.isArray(v)) entries = v.map((e, i) => [i, e]);
    else if (isRecord(v)) entries = Object.keys(v).sort().map((k) => [k, v[k]]);
    else if (typeof v === 'number') entries = Array.from({ length: v }, (_x, i) => [i, i]);
    else if (v !== null && v !== undefined) throw new TemplateError(`range can't iterate over ${printValue(v)}`);
    if (!entries.length) return walk(elseList, dot);
    for (const [k, e] of entries) {
      scope.push();
      if (pipe.decl.length === 1) scope.set(pipe.decl[0] as string, e);
      if (pipe.decl.length === 2) {
        scope.set(pipe.decl[0] as string, k);
        scope.set(pipe.decl[1] as string, e);
      }
      walk(list, e);
      scope.pop();
    }
  };
  walk(nodes, data);
  return out;
}

function describe(a: Arg): string {
  if (a.kind === 'field') return `.${a.names.join('.')}`;
  if (a.kind === 'var') return a.name + a.names.map((n) => `.${n}`).join('');
  if (a.kind === 'literal') return printValue(a.value);
  return 'pipeline';
}
