/** create, run, start, kill, delete. */
import path from 'node:path';
import { Command, Option } from 'commander';
import { invalidArgument } from '@berth/errors';
import { createContainer, loadSpec, type CreateOptions } from '../../container/create.js';
import { startContainer } from '../../container/start.js';
import { killContainer } from '../../container/kill.js';
import { deleteContainer } from '../../container/delete.js';
import { parseSignal } from '../../container/signals.js';
import { contextFor, requireArgs, ExitStatus } from '../context.js';
import { attachTerminal, consolePair, forwardSignals, waitExit } from '../foreground.js';

interface CreateFlags {
  bundle?: string;
  consoleSocket?: string;
  pidFile?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  preserveFds?: string;
  detach?: boolean;
  keep?: boolean;
}

function createFlags(cmd: Command): Command {
  return cmd
    .option('-b, --bundle <path>', 'path to the root of the bundle directory, defaults to the current directory')
    .option('--console-socket <path>', 'path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console\'s pseudoterminal')
    .option('--pid-file <path>', 'specify the file to write the process id to')
    .option('--no-pivot', 'do not use pivot root to jail process inside rootfs')
    .option('--no-new-keyring', 'do not create a new session keyring for the container')
    .option('--preserve-fds <n>', 'Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)', '0');
}

function createOptions(flags: CreateFlags): CreateOptions {
  const preserveFds = Number(flags.preserveFds ?? '0');
  if (!Number.isInteger(preserveFds) || preserveFds < 0) throw invalidArgument(`--preserve-fds: invalid value ${JSON.stringify(flags.preserveFds)}`);
  return {
    bundle: path.resolve(flags.bundle ?? '.'),
    consoleSocket: flags.consoleSocket ? path.resolve(flags.consoleSocket) : undefined,
    pidFile: flags.pidFile,
    // commander turns --no-pivot into pivot=false
    noPivot: (flags as { pivot?: boolean }).pivot === false,
    noNewKeyring: (flags as { newKeyring?: boolean }).newKeyring === false,
    preserveFds,
  };
}

export function lifecycleCommands(program: Command): void {
  createFlags(program.command('create').description('create a container').argument('[id...]'))
    .action(function (this: Command, ids: string[]) {
      requireArgs('create', ids, 1);
      const { ctx } = contextFor(this);
      createContainer(ctx, ids[0] as string, createOptions(this.opts<CreateFlags>()));
    });

  createFlags(program.command('run').description('create and run a container').argument('[id...]'))
    .option('-d, --detach', 'detach from the container\'s process')
    .option('--keep', 'do not delete the container after it exits')
    .addOption(new Option('--no-subreaper', 'disable the use of the subreaper used to reap reparented processes').hideHelp())
    .action(async function (this: Command, ids: string[]) {
      requireArgs('run', ids, 1);
      const id = ids[0] as string;
      const { ctx } = contextFor(this);
      const flags = this.opts<CreateFlags>();
      const opts = createOptions(flags);
      opts.spec = loadSpec(opts.bundle);
      const terminal = opts.spec.process?.terminal === true;
      if (flags.detach) {
        createContainer(ctx, id, opts);
        startContainer(ctx, id);
        return;
      }
      const pair = terminal && !opts.consoleSocket ? consolePair(ctx.core) : undefined;
      if (pair) opts.consoleFd = pair.theirs;
      const { pid } = createContainer(ctx, id, opts);
      const attached = pair ? attachTerminal(ctx.core, pair) : undefined;
      const stopForwarding = forwardSignals(pid);
      let status: number;
      try {
        startContainer(ctx, id);
        status = await waitExit(ctx.core, pid);
        await attached?.drained;
      } finally {
        stopForwarding();
        attached?.detach();
        if (!flags.keep) {
          try {
            deleteContainer(ctx, id, true);
          } catch {
            // already removed
          }
        }
      }
      throw new ExitStatus(status);
    });

  program
    .command('start')
    .description('executes the user defined process in a created container')
    .argument('[id...]')
    .action(function (this: Command, ids: string[]) {
      requireArgs('start', ids, 1);
      startContainer(contextFor(this).ctx, ids[0] as string);
    });

  program
    .command('kill')
    .description("kill sends the specified signal (default: SIGTERM) to the container's init process")
    .option('-a, --all', 'send the specified signal to all processes inside the container')
    .argument('[args...]')
    .action(function (this: Command, args: string[]) {
      requireArgs('kill', args, undefined, 1);
      if (args.length > 2) requireArgs('kill', args, 2);
      const signal = parseSignal(args[1] ?? 'SIGTERM');
      killContainer(contextFor(this).ctx, args[0] as string, signal, this.opts<{ all?: boolean }>().all === true);
    });

  program
    .command('delete')
    .description('delete any resources held by the container often used with detached container')
    .option('-f, --force', 'Forcibly deletes the container if it is still running (uses SIGKILL)')
    .argument('[ids...]')
    .action(function (this: Command, ids: string[]) {
      requireArgs('delete', ids, undefined, 1);
      const { ctx } = contextFor(this);
      const force = this.opts<{ force?: boolean }>().force === true;
      for (const id of ids) {
        try {
          deleteContainer(ctx, id, force);
        } catch (err) {
          // `delete -f` of a missing container succeeds, so callers can always clean up.
          if (force && (err as { code?: string }).code === 'NotFound') continue;
          throw err;
        }
      }
    });
}
