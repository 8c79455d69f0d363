#!/usr/bin/env node
/**
 * berth-containerd: containerd's daemon command line. Serves until SIGTERM or
 * SIGINT, then shuts down gracefully; exits 1 with a JSON log line on a fatal error.
 */
import { containerdVersion, packageVersion, revision } from './gen/build-info.js';
import { applyOverrides, defaultConfigPath, loadConfigFile } from './daemon/config.js';
import { startDaemon } from './daemon/daemon.js';
import { envOverrides, parseFlags, usage } from './daemon/flags.js';
import { createLogger } from './log.js';
import { runMain, serveUntilSignal } from './daemon-main.js';

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (flags.version) {
    process.stdout.write(`containerd github.com/berth/berth-containerd ${containerdVersion} ${revision}\n`);
    return 0;
  }
  const env = envOverrides(process.env);
  const configPath = flags.config ?? env.config ?? defaultConfigPath;
  const config = applyOverrides(loadConfigFile(configPath), env, flags);
  const log = createLogger(config.logLevel);
  log.info('starting berth-containerd', { version: containerdVersion, revision, package: packageVersion, config: configPath });
  const daemon = await startDaemon(config, { version: containerdVersion, revision }, log);

  return serveUntilSignal(daemon, log);
}

runMain('berth-containerd', main);
