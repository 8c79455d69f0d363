/**
 * `berth image inspect NAME...`: docker's JSON array (the daemon's objects in
 * its key order, 4-space indent, HTML-escaped as Go's encoder) or `--format`
 * per image; missing images are reported after the rest, exit 1.
 */
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { ExitError } from '../errors.js';
import { describeCommand, formatFlagHelp } from '../help.js';
import { goEscape } from './go-json.js';
import { parseFormat } from './format-flag.js';


async function runInspect(names: string[], o: { format?: string }, self: Command): Promise<void> {
  const tmpl = o.format ? parseFormat(o.format) : undefined;
  const api = clientFor(self.optsWithGlobals<GlobalOptions>());
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      found.push(await api.getJson<unknown>(`/images/${encodeURIComponent(name)}/json`));
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (tmpl) {
    for (const item of found) process.stdout.write(`${tmpl.execute(item)}\n`);
  } else {
    process.stdout.write(`${goEscape(JSON.stringify(found, null, 4))}\n`);
  }
  if (errors.length) throw new ExitError(errors.join('\n'), 1);
}

export function imageInspectOn(image: Command): void {
  const cmd = image
    .command('inspect')
    .description('Display detailed information on one or more images')
    .argument('<image...>')
    .option('-f, --format <string>', formatFlagHelp)
    .option('--platform <string>', 'Inspect a specific platform of the multi-platform image.')
    .action(runInspect);
  describeCommand(cmd, { usage: '[OPTIONS] IMAGE [IMAGE...]' });
}
