/**
 * `berth inspect` (containers, then images, or --type) and `berth container
 * inspect`: docker's 4-space JSON array of the daemon's objects (Go's HTML
 * escaping) or `--format` per object; what is not found is reported after
 * the rest, exit 1. Fields a Go struct would have as nil pointers when the
 * daemon leaves them out (SizeRw without -s) are null, so templates print
 * `<nil>` as docker's do.
 */
import type { Command } from 'commander';
import type { ApiClient } from '../client/api.js';
import { ExitError } from '../errors.js';
import { describeCommand, formatFlagHelp } from '../help.js';
import { TemplateError } from '../template/format.js';
import { apiOf, enc, isNotFound, messageOf } from './container-common.js';
import { parseFormat } from './format-flag.js';

type Kind = 'container' | 'image';
type Found = Record<string, unknown>;

async function fetchOne(api: ApiClient, kind: Kind, name: string, size: boolean): Promise<Found> {
  if (kind === 'image') return api.getJson<Found>(`/images/${enc(name)}/json`);
  return api.getJson<Found>(`/containers/${enc(name)}/json${size ? '?size=1' : ''}`);
}

interface InspectOptions {
  format?: string;
  size?: boolean;
  type?: string;
}

async function inspectAll(names: string[], kinds: Kind[] | undefined, o: InspectOptions, self: Command): Promise<void> {
  const tmpl = o.format ? parseFormat(o.format) : undefined;
  const api = apiOf(self);
  const found: Found[] = [];
  const errors: string[] = [];
  for (const name of names) {
    if (kinds?.length === 1) {
      try {
        found.push(await fetchOne(api, kinds[0] as Kind, name, Boolean(o.size)));
      } catch (err) {
        errors.push(messageOf(err));
      }
      continue;
    }
    let hit: Found | undefined;
    for (const kind of ['container', 'image'] as const) {
      try {
        hit = await fetchOne(api, kind, name, Boolean(o.size));
        break;
      } catch (err) {
        if (!isNotFound(err)) {
          errors.push(messageOf(err));
          hit = undefined;
          break;
        }
      }
    }
    if (hit) found.push(hit);
    else if (errors.length === 0 || !errors[errors.length - 1]?.includes(name)) errors.push(`Error: No such object: ${name}`);
  }
  if (tmpl) {
    // with nothing found docker still ends its (empty) template output with a newline
    if (!found.length) process.stdout.write('\n');
    for (const item of found) {
      try {
        // a template sees Go's struct, whose size pointers are nil when not asked for
        const data = 'State' in item ? { SizeRw: null, SizeRootFs: null, ...item } : item;
        process.stdout.write(`${tmpl.execute(data)}\n`);
      } catch (err) {
        if (err instanceof TemplateError) throw new ExitError(`template parsing error: ${err.message}`, 1);
        throw err;
      }
    }
  } else {
    // the daemon's JSON, re-indented: dockerd does not HTML-escape, and neither does docker's json.Indent
    process.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
  }
  if (errors.length) throw new ExitError(errors.join('\n'), 1);
}

const typeNames = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

export function inspectOn(program: Command): Command {
  const cmd = program
    .command('inspect')
    .description('Return low-level information on Docker objects')
    .argument('<name...>')
    .option('-f, --format <string>', formatFlagHelp)
    .option('-s, --size', 'Display total file sizes if the type is container')
    .option('--type <string>', 'Only inspect objects of the given type')
    .action((names: string[], o: InspectOptions, self: Command) => {
      if (o.type !== undefined && !typeNames.includes(o.type)) {
        throw new ExitError(`unknown type: ${JSON.stringify(o.type)}: must be one of ${typeNames.map((t) => JSON.stringify(t)).join(', ')}`, 1);
      }
      if (o.type !== undefined && o.type !== 'container' && o.type !== 'image') throw new ExitError(`berth does not support inspecting objects of type ${JSON.stringify(o.type)} yet`, 1);
      return inspectAll(names, o.type ? [o.type as Kind] : undefined, o, self);
    });
  return describeCommand(cmd, { usage: '[OPTIONS] NAME|ID [NAME|ID...]' });
}

export function containerInspectOn(container: Command): Command {
  const cmd = container
    .command('inspect')
    .description('Display detailed information on one or more containers')
    .argument('<container...>')
    .option('-f, --format <string>', formatFlagHelp)
    .option('-s, --size', 'Display total file sizes')
    .action((names: string[], o: InspectOptions, self: Command) => inspectAll(names, ['container'], o, self));
  return describeCommand(cmd, { usage: '[OPTIONS] CONTAINER [CONTAINER...]' });
}
