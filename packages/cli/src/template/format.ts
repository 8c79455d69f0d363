/**
 * `--format` as docker applies it. A format is a Go template; for list-style
 * output (one row per item) docker also turns the two-character sequences
 * `\t` and `\n` into tab and newline, and a leading `table` prints a header
 * row (each field's column title) and aligns columns with a tabwriter.
 */
import { execute } from './exec.js';
import { parseTemplate, type Node } from './parser.js';
import { tabwrite, tableTabs } from '../tabwriter.js';
import type { Value } from './values.js';

export { TemplateError } from './error.js';

/** Parses once; execute many times. */
export class Template {
  private readonly nodes: Node[];
  constructor(readonly source: string) {
    this.nodes = parseTemplate(source);
  }
  execute(data: Value, lookup?: (dot: Value, names: string[]) => Value): string {
    return execute(this.nodes, data, lookup ? { lookup } : {});
  }
}

/** Executes a template for a single object (`version`, `info`, `inspect`). */
export function renderTemplate(format: string, data: Value): string {
  return new Template(format).execute(data);
}

export function isTableFormat(format: string): boolean {
  return format.startsWith('table');
}

/**
 * A column title for a field chain: the command's own title if it has one
 * (docker's "CONTAINER ID" for .ID in ps), else the last field name upper-cased
 * with its words split ("CreatedAt" -> "CREATED AT").
 */
export function defaultHeader(names: string[]): string {
  const last = names[names.length - 1] ?? '';
  return last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toUpperCase();
}

/** Formats rows as docker's list commands do: `table ...` or a plain per-row template. */
export function formatRows(format: string, rows: Value[], headers: Record<string, string> = {}): string {
  const table = isTableFormat(format);
  const body = (table ? format.slice('table'.length) : format).trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  const tmpl = new Template(body);
  let out = '';
  if (table) {
    out += tmpl.execute({}, (_dot, names) => headers[names.join('.')] ?? defaultHeader(names));
    out += '\n';
  }
  for (const row of rows) out += `${tmpl.execute(row)}\n`;
  return table ? tabwrite(out, tableTabs) : out;
}
