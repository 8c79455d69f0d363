/**
 * `berth tag SRC DST`, `berth rmi IMAGE...` (Untagged:/Deleted: lines, errors
 * collected, exit 1) and `berth load [-i FILE]` (a docker-save tar from a
 * file or stdin, the daemon's stream messages printed).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { splitTag } from '../client/reference.js';
import { clientFor, type GlobalOptions } from '../context.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';

const apiOf = (self: Command) => clientFor(self.optsWithGlobals<GlobalOptions>());

async function runTag(src: string, dst: string, _o: unknown, self: Command): Promise<void> {
  const { repo, tag } = splitTag(dst);
  const q = new URLSearchParams({ repo, tag });
  await apiOf(self).send(`/images/${encodeURIComponent(src)}/tag?${q.toString()}`, { method: 'POST' });
}

async function runRmi(names: string[], o: { force?: boolean; prune?: boolean }, self: Command): Promise<void> {
  const api = apiOf(self);
  const errors: string[] = [];
  const q = new URLSearchParams();
  if (o.force) q.set('force', '1');
  if (o.prune === false) q.set('noprune', '1');
  const query = q.toString() ? `?${q.toString()}` : '';
  for (const name of names) {
    try {
      const items = JSON.parse(await api.send(`/images/${encodeURIComponent(name)}${query}`, { method: 'DELETE' })) as Array<{ Untagged?: string; Deleted?: string }>;
      for (const it of items) process.stdout.write(it.Deleted ? `Deleted: ${it.Deleted}\n` : `Untagged: ${it.Untagged ?? ''}\n`);
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (errors.length) throw new ExitError(errors.join('\n'), 1);
}

async function readStdin(): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of process.stdin) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function runLoad(o: { input?: string; quiet?: boolean }, self: Command): Promise<void> {
  let body: Buffer;
  if (o.input) {
    try {
      body = fs.readFileSync(o.input);
    } catch (err) {
      throw new ExitError(`open ${o.input}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, 1);
    }
  } else {
    if (process.stdin.isTTY) throw new ExitError('requested load from stdin, but stdin is empty', 1);
    body = await readStdin();
  }
  const q = o.quiet ? '?quiet=1' : '';
  const text = await apiOf(self).send(`/images/load${q}`, { method: 'POST', raw: body, contentType: 'application/x-tar', timeoutMs: 600_000 });
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const msg = JSON.parse(line) as { stream?: string; error?: string; errorDetail?: { message?: string } };
    if (msg.error) throw new ExitError(msg.errorDetail?.message ?? msg.error, 1);
    if (msg.stream) process.stdout.write(msg.stream);
  }
}

export function imageOpsOn(program: Command, image: Command): void {
  for (const [parent, name, aliases] of [
    [program, 'tag', ['berth image tag', 'berth tag']],
    [image, 'tag', ['berth image tag', 'berth tag']],
  ] as const) {
    const cmd = parent.command(name).description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE').argument('<source>').argument('<target>').action(runTag);
    describeCommand(cmd, { usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', aliases: [...aliases] });
  }
  for (const [parent, name] of [
    [program, 'rmi'],
    [image, 'rm'],
  ] as const) {
    const cmd = parent
      .command(name)
      .description('Remove one or more images')
      .argument('<image...>')
      .option('-f, --force', 'Force removal of the image')
      .option('--no-prune', 'Do not delete untagged parents')
      .action(runRmi);
    describeCommand(cmd, { usage: '[OPTIONS] IMAGE [IMAGE...]', aliases: ['berth image rm', 'berth image remove', 'berth rmi'] });
    if (name === 'rm') cmd.alias('remove');
  }
  for (const parent of [program, image]) {
    const cmd = parent
      .command('load')
      .description('Load an image from a tar archive or STDIN')
      .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
      .option('-q, --quiet', 'Suppress the load output')
      .action(runLoad);
    describeCommand(cmd, { usage: '[OPTIONS]', aliases: ['berth image load', 'berth load'] });
  }
}
