/**
 * `berth build [OPTIONS] PATH` (and `berth image build`): the context packed
 * as docker's CLI packs it (build-context.ts), POST /build with docker's
 * query, the daemon's stream printed as it arrives; an error line ends the
 * command with its code (1 when it has none). With -q the daemon sends only
 * the image ID (or, on failure, the held-back output).
 */
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { describeCommand } from '../help.js';
import { humanSize } from '../units.js';
import { packContext } from './build-context.js';
import { jsonMessages, openStream } from './progress-request.js';
import { displayMessages, type JsonMessage } from './progress.js';
import { registryConfigHeader } from '../credentials.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

interface BuildFlags {
  tag: string[];
  file?: string;
  buildArg: string[];
  label: string[];
  target?: string;
  cache?: boolean;
  quiet?: boolean;
  rm?: boolean;
  forceRm?: boolean;
  pull?: boolean;
}

/** k=v, or k alone: the value from this environment (docker's rule); unset, it stays null. */
function pairs(list: string[], fromEnv: boolean): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq >= 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    else out[item] = fromEnv ? process.env[item] ?? null : '';
  }
  return out;
}

async function runBuild(contextPath: string, o: BuildFlags, self: Command): Promise<void> {
  const api = clientFor(self.optsWithGlobals<GlobalOptions>());
  const ctx = packContext(contextPath, o.file);
  const q = new URLSearchParams();
  for (const t of o.tag) q.append('t', t);
  q.set('dockerfile', ctx.dockerfile);
  if (o.buildArg.length) q.set('buildargs', JSON.stringify(pairs(o.buildArg, true)));
  if (o.label.length) q.set('labels', JSON.stringify(pairs(o.label, false)));
  if (o.target) q.set('target', o.target);
  if (o.cache === false) q.set('nocache', '1');
  if (o.quiet) q.set('q', '1');
  q.set('rm', o.rm === false ? '0' : '1');
  if (o.forceRm) q.set('forcerm', '1');
  if (o.pull) q.set('pull', '1');
  q.set('version', '1');
  // docker's progress line: one \r-terminated update, then its own \r\n at the end of the upload
  if (!o.quiet) process.stdout.write(`Sending build context to Docker daemon  ${humanSize(ctx.tar.length, 4)}\r\r\n`);
  const res = await openStream(api, `/build?${q.toString()}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-tar', 'Content-Length': String(ctx.tar.length), 'X-Registry-Config': registryConfigHeader() },
    body: Readable.from([ctx.tar]),
  });
  // as docker's CLI: the stream's text, a --pull's progress, and the error with its code (exit 1 when it has none)
  await displayMessages(jsonMessages(res) as AsyncIterable<JsonMessage>, process.stdout);
}

export function buildCommands(program: Command): void {
  const image = program.commands.find((c) => c.name() === 'image');
  for (const parent of image ? [program, image] : [program]) {
    const cmd = parent
      .command('build')
      .description('Build an image from a Dockerfile')
      .argument('<path>')
      .option('-t, --tag <list>', 'Name and optionally a tag in the "name:tag" format', collect, [])
      .option('-f, --file <string>', 'Name of the Dockerfile (Default is "PATH/Dockerfile")')
      .option('--build-arg <list>', 'Set build-time variables', collect, [])
      .option('--label <list>', 'Set metadata for an image', collect, [])
      .option('--target <string>', 'Set the target build stage to build.')
      .option('--no-cache', 'Do not use cache when building the image')
      .option('-q, --quiet', 'Suppress the build output and print image ID on success')
      .option('--rm', 'Remove intermediate containers after a successful build (default true)')
      .option('--force-rm', 'Always remove intermediate containers')
      .option('--pull', 'Always attempt to pull a newer version of the image')
      .action(runBuild);
    describeCommand(cmd, { usage: '[OPTIONS] PATH', aliases: ['berth image build', 'berth build'] });
  }
}
