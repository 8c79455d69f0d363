/**
 * `berth save [-o FILE] IMAGE...`: GET /images/get?names=... streamed to the
 * file (written beside it under a temporary name and renamed into place when
 * complete, as docker's atomic writer does) or to stdout, which must not be a
 * terminal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { openStream } from './progress-request.js';

async function runSave(names: string[], o: { output?: string }, self: Command): Promise<void> {
  if (!o.output && process.stdout.isTTY) throw new ExitError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
  let tmp: string | undefined;
  if (o.output) {
    const dir = path.dirname(path.resolve(o.output));
    if (!fs.existsSync(dir)) throw new ExitError(`failed to save image: invalid output path: directory "${dir}" does not exist`, 1);
    if (fs.existsSync(o.output) && !fs.statSync(o.output).isFile()) throw new ExitError(`failed to save image: invalid output path: "${o.output}" must be a file`, 1);
    tmp = path.join(dir, `.${path.basename(o.output)}.${process.pid}.tmp`);
  }
  const q = new URLSearchParams();
  for (const n of names) q.append('names', n);
  const res = await openStream(clientFor(self.optsWithGlobals<GlobalOptions>()), `/images/get?${q.toString()}`);
  if (!tmp || !o.output) {
    await pipeline(res, process.stdout, { end: false });
    return;
  }
  try {
    await pipeline(res, fs.createWriteStream(tmp, { mode: 0o600 }));
    if (!res.complete) throw new ExitError('unexpected EOF', 1);
    fs.renameSync(tmp, o.output);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export function saveOn(program: Command, image: Command): void {
  for (const parent of [program, image]) {
    const cmd = parent
      .command('save')
      .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
      .argument('<image...>')
      .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
      .option('--platform <strings>', 'Save only the given platform(s)')
      .action(runSave);
    describeCommand(cmd, { usage: '[OPTIONS] IMAGE [IMAGE...]', aliases: ['berth image save', 'berth save'] });
  }
}
