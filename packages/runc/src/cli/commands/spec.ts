/** spec and features: static descriptions of what the runtime does. */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { alreadyExists } from '@berth/errors';
import { defaultSpec, formatSpec, rootlessSpec, SPEC_FILE_MODE } from '../../spec/default-spec.js';
import { features, formatFeatures } from '../../spec/features.js';
import { out } from '../output.js';

export function specCommands(program: Command): void {
  program
    .command('spec')
    .description('create a new specification file')
    .option('-b, --bundle <path>', 'path to the root of the bundle directory')
    .option('--rootless', 'generate a configuration for a rootless container')
    .action(function (this: Command) {
      const o = this.opts<{ bundle?: string; rootless?: boolean }>();
      const dir = o.bundle ?? '.';
      const file = path.join(dir, 'config.json');
      if (fs.existsSync(file)) throw alreadyExists('File config.json exists. Remove it first');
      const spec = o.rootless ? rootlessSpec() : defaultSpec();
      fs.writeFileSync(file, formatSpec(spec), { mode: SPEC_FILE_MODE });
    });
  program
    .command('features')
    .description('show the enabled features')
    .action(() => out(formatFeatures(features())));
}
