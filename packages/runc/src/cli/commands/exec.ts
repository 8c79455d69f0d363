/** exec: run a process in a container, in the foreground or detached. */
import fs from 'node:fs';
import { Command } from 'commander';
import { invalidArgument } from '@berth/errors';
import type { Process } from '../../spec/types.js';
import { execProcess, execProcessSpec } from '../../container/exec.js';
import { contextFor, ExitStatus } from '../context.js';
import { attachTerminal, consolePair, forwardSignals, waitExit } from '../foreground.js';

interface ExecFlags {
  consoleSocket?: string;
  cwd?: string;
  env: string[];
  tty?: boolean;
  user?: string;
  additionalGids: string[];
  process?: string;
  detach?: boolean;
  pidFile?: string;
  noNewPrivs?: boolean;
  cap: string[];
  preserveFds: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

function parseUser(s: string): { uid: number; gid: number } {
  const [u, g] = s.split(':');
  const uid = Number(u);
  const gid = g === undefined ? 0 : Number(g);
  if (!Number.isInteger(uid) || uid < 0 || !Number.isInteger(gid) || gid < 0)
    throw invalidArgument(`--user: parsing ${s} as uid[:gid]: invalid syntax`);
  return { uid, gid };
}

function readProcessFile(file: string): Process {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw invalidArgument(`--process: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as Process;
  } catch (err) {
    throw invalidArgument(`--process: ${file}: invalid JSON: ${(err as Error).message}`);
  }
}

export function execCommand(program: Command): void {
  program
    .command('exec')
    .description('execute new process inside the container')
    .option('--console-socket <path>', 'path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console\'s pseudoterminal')
    .option('--cwd <path>', 'current working directory in the container')
    .option('-e, --env <env>', 'set environment variables', collect, [])
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-u, --user <uid[:gid]>', 'UID (format: <uid>[:<gid>])')
    .option('-g, --additional-gids <gid>', 'additional gids', collect, [])
    .option('-p, --process <file>', 'path to the process.json')
    .option('-d, --detach', 'detach from the container\'s process')
    .option('--pid-file <path>', 'specify the file to write the process id to')
    .option('--process-label <label>', 'set the asm process label for the process commonly used with selinux')
    .option('--apparmor <profile>', 'set the apparmor profile for the process')
    .option('--no-new-privs', 'set the no new privileges value for the process')
    .option('-c, --cap <cap>', 'add a capability to the bounding set for the process', collect, [])
    .option('--preserve-fds <n>', 'Pass N additional file descriptors to the container', '0')
    .option('--cgroup <path>', 'run the process in an (existing) sub-cgroup(s)')
    .option('--ignore-paused', 'allow exec in a paused container')
    .argument('[args...]')
    .passThroughOptions()
    .action(async function (this: Command, args: string[]) {
      const o = this.opts<ExecFlags>();
      const id = args[0];
      if (!id) throw new Error('runc: "exec" requires a minimum of 1 argument(s)');
      const { ctx } = contextFor(this);
      const record = ctx.store.read(id);
      let proc: Process;
      if (o.process) {
        proc = readProcessFile(o.process);
      } else {
        if (args.length < 2) throw invalidArgument('exec: process args cannot be empty');
        proc = execProcessSpec(record.config.process, {
          args: args.slice(1),
          env: o.env,
          cwd: o.cwd,
          user: o.user ? parseUser(o.user) : undefined,
          additionalGids: o.additionalGids.length ? o.additionalGids.map(Number) : undefined,
          terminal: o.tty === true,
          capAdd: o.cap,
          noNewPrivileges: o.noNewPrivs === true,
        });
      }
      const preserveFds = Number(o.preserveFds);
      if (proc.terminal && o.detach && !o.consoleSocket)
        throw invalidArgument('cannot allocate tty if runc will detach without setting console socket');
      if (!proc.terminal && o.consoleSocket) throw invalidArgument('cannot use console socket if runc will not detach or allocate tty');
      const pair = proc.terminal && !o.consoleSocket ? consolePair(ctx.core) : undefined;
      // Unlike init (held on the exec fifo until `start`), an exec'd process runs
      // at once: size its pty like our terminal before it starts, not after.
      if (pair && !proc.consoleSize) {
        const size = ctx.core.getWinsize(1) ?? ctx.core.getWinsize(0);
        if (size) proc.consoleSize = { height: size.rows, width: size.cols };
      }
      const { pid } = execProcess(ctx, id, {
        process: proc,
        consoleSocket: o.consoleSocket,
        consoleFd: pair?.theirs,
        pidFile: o.pidFile,
        preserveFds,
      });
      if (o.detach) return;
      const attached = pair ? attachTerminal(ctx.core, pair) : undefined;
      const stop = forwardSignals(pid);
      let status: number;
      try {
        status = await waitExit(ctx.core, pid);
        await attached?.drained;
      } finally {
        stop();
        attached?.detach();
      }
      throw new ExitStatus(status);
    });
}
