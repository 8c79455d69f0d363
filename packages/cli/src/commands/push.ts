/**
 * `berth push [-a] [-q] NAME[:TAG]`: POST /images/{name}/push with the
 * stored credentials as X-Registry-Auth, shown with the pull command's
 * progress display; "Using default tag: latest" when no tag is given (and
 * not -a); -q prints only the full reference. A failure inside the stream
 * ("no basic auth credentials") ends the command with that text and exit 1.
 */
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { registryAuthHeader } from '../credentials.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { displayMessages, type JsonMessage } from './progress.js';
import { jsonMessages, openStream } from './progress-request.js';
import { fullRef, parsePullRef } from './pull-reference.js';

/** docker.io/library/busybox -> busybox, docker.io/x/y -> x/y (the name the API path takes, as docker's client sends it). */
const familiar = (name: string): string => name.replace(/^docker\.io\/(library\/(?=[^/]+$))?/, '');

async function runPush(ref: string, o: { quiet?: boolean; allTags?: boolean }, self: Command): Promise<void> {
  const r = parsePullRef(ref);
  if (r.digest) throw new ExitError('cannot push a digest reference', 1);
  if (o.allTags && !r.defaulted) throw new ExitError('tag can\'t be used with --all-tags/-a', 1);
  const tag = o.allTags ? '' : r.tag ?? 'latest';
  if (r.defaulted && !o.allTags && !o.quiet) process.stdout.write('Using default tag: latest\n');
  const api = clientFor(self.optsWithGlobals<GlobalOptions>());
  const q = new URLSearchParams(tag ? { tag } : {});
  const domain = r.name.slice(0, r.name.indexOf('/'));
  const res = await openStream(api, `/images/${familiar(r.name)}/push${tag ? `?${q.toString()}` : ''}`, {
    method: 'POST',
    headers: { 'X-Registry-Auth': registryAuthHeader(domain) },
  });
  const messages = jsonMessages(res) as AsyncIterable<JsonMessage>;
  if (o.quiet) {
    // the stream is still read to the end, for its error
    await displayMessages(messages, { write: () => true } as unknown as NodeJS.WritableStream);
    process.stdout.write(`${o.allTags ? r.name : fullRef(r)}\n`);
    return;
  }
  await displayMessages(messages, process.stdout);
}

export function pushOn(program: Command): void {
  const image = program.commands.find((c) => c.name() === 'image');
  for (const parent of image ? [program, image] : [program]) {
    const cmd = parent
      .command('push')
      .description('Upload an image to a registry')
      .argument('<name>')
      .option('-a, --all-tags', 'Push all tags of an image to the repository')
      .option('--disable-content-trust', 'Skip image signing (default true)')
      .option('-q, --quiet', 'Suppress verbose output')
      .action(runPush);
    describeCommand(cmd, { usage: '[OPTIONS] NAME[:TAG]', aliases: ['berth image push', 'berth push'] });
  }
}
