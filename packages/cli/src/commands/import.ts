/**
 * `berth import [-c CHANGE]... [-m MSG] file|URL|- [REPOSITORY[:TAG]]`:
 * POST /images/create?fromSrc=... with the file (or stdin for `-`) streamed
 * as the body; a URL is left to the daemon to fetch. Prints the daemon's
 * stream (the new image ID).
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { splitTag } from '../client/reference.js';
import { clientFor, type GlobalOptions } from '../context.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { displayMessages, type JsonMessage } from './progress.js';
import { jsonMessages, openStream } from './progress-request.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

async function openSource(source: string): Promise<Readable> {
  const f = await fs.promises.open(source, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new ExitError(`open ${source}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.message}`, 1);
  });
  return f.createReadStream();
}

async function runImport(source: string, reference: string | undefined, o: { change: string[]; message?: string; platform?: string }, self: Command): Promise<void> {
  const q = new URLSearchParams();
  const isUrl = /^https?:\/\//.test(source);
  q.set('fromSrc', isUrl ? source : '-');
  if (reference) {
    const { repo, tag } = splitTag(reference);
    q.set('repo', repo);
    // docker sends the tag only when the reference has one
    if (reference.lastIndexOf(':') > reference.lastIndexOf('/')) q.set('tag', tag);
  }
  if (o.message) q.set('message', o.message);
  const platform = o.platform ?? process.env.DOCKER_DEFAULT_PLATFORM;
  if (platform) q.set('platform', platform);
  for (const c of o.change) q.append('changes', c);
  const body = isUrl ? undefined : source === '-' ? process.stdin : await openSource(source);
  const api = clientFor(self.optsWithGlobals<GlobalOptions>());
  const res = await openStream(api, `/images/create?${q.toString()}`, { method: 'POST', ...(body ? { body, headers: { 'Content-Type': 'application/x-tar' } } : {}) });
  await displayMessages(jsonMessages(res) as AsyncIterable<JsonMessage>, process.stdout);
}

export function importOn(program: Command, image: Command): void {
  for (const parent of [program, image]) {
    const cmd = parent
      .command('import')
      .description('Import the contents from a tarball to create a filesystem image')
      .argument('<source>')
      .argument('[reference]')
      .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect, [])
      .option('-m, --message <string>', 'Set commit message for imported image')
      .option('--platform <string>', 'Set platform if server is multi-platform capable')
      .action(runImport);
    describeCommand(cmd, { usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]', aliases: ['berth image import', 'berth import'] });
  }
}
