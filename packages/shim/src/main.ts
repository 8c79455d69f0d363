/**
 * berth-shim: one process per container, started by berth-containerd.
 * See README.md for the launch contract and the files kept in the bundle.
 *
 * Only the command line is loaded up front: `start` (run by containerd for
 * every container) stays light, and the daemon's modules (gRPC, protobuf, the
 * runtime) are loaded by the commands that use them.
 */
import { parseArgs, usage } from './cli/flags.js';
import { start } from './cli/start.js';
import { shimVersion } from './version.js';

async function main(argv: string[]): Promise<number> {
  const { flags, command } = parseArgs(argv);
  switch (command) {
    case 'version':
      process.stdout.write(`${shimVersion}\n`);
      return 0;
    case 'help':
      process.stdout.write(usage);
      return 0;
    case 'start':
      return start(flags, process.argv[1] as string);
    case 'delete':
      return (await import('./cli/delete.js')).deleteCommand(flags);
    case 'serve':
      await (await import('./cli/serve.js')).serve(flags);
      return -1; // keeps running
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`berth-shim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
