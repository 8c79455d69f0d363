/**
 * `berth pull [-q] [--platform P] NAME[:TAG|@DIGEST]`: POST /images/create
 * with docker's progress display, then the full reference on its own line;
 * "Using default tag: latest" when no tag is given. `pullImage` is the shared
 * part (also for `berth run` pulling a missing image): it streams the
 * progress to `out` (nothing when quiet) and throws docker's error. The
 * registry's credentials from `berth login` go along as X-Registry-Auth.
 */
import type { Command } from 'commander';
import type { ApiClient } from '../client/api.js';
import { clientFor, type GlobalOptions } from '../context.js';
import { describeCommand } from '../help.js';
import { registryAuthHeader } from '../credentials.js';
import { displayMessages, type JsonMessage } from './progress.js';
import { jsonMessages, openStream } from './progress-request.js';
import { fullRef, parsePullRef } from './pull-reference.js';


export async function pullImage(
  client: ApiClient,
  ref: string,
  opts: { quiet: boolean; platform?: string | undefined; out: NodeJS.WritableStream },
): Promise<void> {
  const r = parsePullRef(ref);
  const q = new URLSearchParams({ fromImage: r.name, tag: r.digest ?? r.tag ?? 'latest' });
  if (opts.platform) q.set('platform', opts.platform);
  const res = await openStream(client, `/images/create?${q.toString()}`, { method: 'POST', headers: { 'X-Registry-Auth': registryAuthHeader(r.name.slice(0, r.name.indexOf('/'))) } });
  const messages = jsonMessages(res) as AsyncIterable<JsonMessage>;
  if (!opts.quiet) {
    await displayMessages(messages, opts.out);
    return;
  }
  // quiet: the stream is still read to the end, for its error
  await displayMessages(messages, { write: () => true } as unknown as NodeJS.WritableStream);
}

async function runPull(ref: string, o: { quiet?: boolean; platform?: string; allTags?: boolean }, self: Command): Promise<void> {
  const r = parsePullRef(ref);
  if (r.defaulted && !o.quiet) process.stdout.write('Using default tag: latest\n');
  const api = clientFor(self.optsWithGlobals<GlobalOptions>());
  await pullImage(api, ref, { quiet: Boolean(o.quiet), platform: o.platform ?? process.env.DOCKER_DEFAULT_PLATFORM, out: process.stdout });
  process.stdout.write(`${fullRef(r)}\n`);
}

export function pullOn(program: Command, image: Command): void {
  for (const parent of [program, image]) {
    const cmd = parent
      .command('pull')
      .description('Download an image from a registry')
      .argument('<name>')
      .option('-a, --all-tags', 'Download all tagged images in the repository')
      .option('--disable-content-trust', 'Skip image verification (default true)')
      .option('--platform <string>', 'Set platform if server is multi-platform capable')
      .option('-q, --quiet', 'Suppress verbose output')
      .action(runPull);
    describeCommand(cmd, { usage: '[OPTIONS] NAME[:TAG|@DIGEST]', aliases: ['berth image pull', 'berth pull'] });
  }
}
