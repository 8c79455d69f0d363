/**
 * docker's `--format` value for single-object commands: 'json' is shorthand
 * for `{{json .}}`, and a template that does not parse is refused before any
 * request with "template parsing error: ..." and exit 64, as docker does.
 */
import { ExitError } from '../errors.js';
import { Template, TemplateError } from '../template/format.js';

export function parseFormat(format: string): Template {
  try {
    return new Template(format.trim() === 'json' ? '{{json .}}' : format);
  } catch (err) {
    if (err instanceof TemplateError) throw new ExitError(`template parsing error: ${err.message}`, 64);
    throw err;
  }
}
