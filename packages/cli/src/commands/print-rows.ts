/**
 * The list commands' output (images, history, network ls, search): rows
 * through the --format template (or docker's table), `{{json .}}` with Go's
 * HTML escaping as docker's rows marshal themselves, and a template that does
 * not parse as docker's "template parsing error" with the command's status.
 */
import { ExitError } from '../errors.js';
import { formatRows, TemplateError } from '../template/format.js';
import type { Value } from '../template/values.js';
import { goEscape } from './go-json.js';

export function printRows(format: string, rows: Value[], headers: Record<string, string>, templateErrorStatus: number): void {
  try {
    const out = formatRows(format, rows, headers);
    process.stdout.write(format.trim() === '{{json .}}' ? goEscape(out) : out);
  } catch (err) {
    if (err instanceof TemplateError) throw new ExitError(`template parsing error: ${err.message}`, templateErrorStatus);
    throw err;
  }
}
