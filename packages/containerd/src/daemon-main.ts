/**
 * The life of a daemon's process, shared by berth-containerd and berthd: serve
 * until SIGTERM or SIGINT, then close gracefully (exit 0, or 1 when closing
 * failed); a fatal error before that is one JSON log line and exit 1.
 */
import { errorCodeOf } from '@berth/errors';
import { createLogger, type Logger } from './log.js';

export function serveUntilSignal(daemon: { close(): Promise<void> }, log: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info('stopping', { signal });
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

export function runMain(program: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      createLogger('info').error(`${program} failed`, { error: err, kind: errorCodeOf(err) });
      process.exit(1);
    },
  );
}
