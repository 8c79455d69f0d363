#!/usr/bin/env node
/**
 * berthd: dockerd's command line. Serves until SIGTERM or SIGINT, then shuts
 * down gracefully; exits 1 with a JSON log line on a fatal error.
 */
import { createLogger } from '@berth/containerd/log';
import { startDaemon } from './daemon.js';
import { parseFlags, usage } from './flags.js';
import { engineVersion, gitCommit } from './gen/build-info.js';
import { runMain, serveUntilSignal } from '@berth/containerd/daemon-main';

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
  return serveUntilSignal(daemon, log);
}

runMain('berthd', main);
