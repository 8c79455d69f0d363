#!/usr/bin/env node
/**
 * berthd: dockerd's command line. Serves until SIGTERM or SIGINT, then shuts
 * down gracefully; exits 1 with a JSON log line on a fatal error.
 */
import { errorCodeOf } from '@berth/errors';
import { createLogger } from '@berth/containerd/log';
import { startDaemon } from './daemon.js';
import { parseFlags, usage } from './flags.js';
import { engineVersion, gitCommit } from './gen/build-info.js';

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (flags.version) {
    process.stdout.write(`Berth version ${engineVersion}, build ${gitCommit}\n`);
    return 0;
  }
  const log = createLogger(flags.logLevel);
  log.info('starting berthd', { version: engineVersion, commit: gitCommit, pid: process.pid });
  const daemon = await startDaemon(flags, log);
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info('processing signal', { signal });
      daemon.close().then(
        () => resolve(0),
        (err: unknown) => {
          log.error('shutdown failed', { error: err });
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    createLogger('info').error('berthd failed', { error: err, kind: errorCodeOf(err) });
    process.exit(1);
  },
);
