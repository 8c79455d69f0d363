/**
 * `berth exec` / `container exec`: POST /containers/{id}/exec, then
 * /exec/{id}/start either detached or hijacked with our stdio attached (as
 * run's session), then the process's exit code from GET /exec/{id}/json,
 * which is ours (dockerd reports 126/127 when the command cannot be run).
 */
import type { Command } from 'commander';
import { hijack } from '../client/hijack.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { apiOf, enc } from './container-common.js';
import { FlagError, readEnvFile } from './container-create-config.js';
import { followTerminalSize, startSession } from './container-io.js';

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

interface ExecOptions {
  detach?: boolean;
  detachKeys?: string;
  env?: string[];
  envFile?: string[];
  interactive?: boolean;
  privileged?: boolean;
  tty?: boolean;
  user?: string;
  workdir?: string;
}

async function runExec(container: string, cmd: string[], o: ExecOptions, self: Command): Promise<void> {
  const api = apiOf(self);
  const attach = !o.detach;
  const stdin = attach && Boolean(o.interactive);
  if (o.tty && stdin && !process.stdin.isTTY) throw new ExitError('the input device is not a TTY', 1);
  let fromFiles: string[];
  try {
    fromFiles = (o.envFile ?? []).flatMap((f) => readEnvFile(f, process.env));
  } catch (err) {
    if (err instanceof FlagError) throw new ExitError(err.message, 1);
    throw err;
  }
  const env = [...fromFiles, ...(o.env ?? [])].flatMap((e) => (e.includes('=') ? [e] : process.env[e] !== undefined ? [`${e}=${process.env[e] ?? ''}`] : []));
  const body = {
    User: o.user ?? '',
    Privileged: Boolean(o.privileged),
    Tty: Boolean(o.tty),
    AttachStdin: stdin,
    AttachStderr: attach,
    AttachStdout: attach,
    Detach: Boolean(o.detach),
    DetachKeys: o.detachKeys ?? '',
    Env: env.length ? env : null,
    WorkingDir: o.workdir ?? '',
    Cmd: cmd,
  };
  const created = await api.getJson<{ Id: string }>(`/containers/${enc(container)}/exec`, { method: 'POST', body });
  if (o.detach) {
    await api.send(`/exec/${enc(created.Id)}/start`, { method: 'POST', body: { Detach: true, Tty: Boolean(o.tty) } });
    return;
  }
  const conn = await hijack(api, `/exec/${enc(created.Id)}/start`, { Detach: false, Tty: Boolean(o.tty) });
  const session = startSession(conn, { tty: Boolean(o.tty), stdin, stdout: true, stderr: true, detachKeys: o.detachKeys });
  const stopResize = o.tty ? followTerminalSize(api, `/exec/${enc(created.Id)}/resize`) : () => undefined;
  let how: 'ended' | 'detached';
  try {
    how = await session.done;
  } finally {
    stopResize();
    session.restore();
  }
  if (how === 'detached') return;
  const info = await api.getJson<{ ExitCode: number | null; Running: boolean }>(`/exec/${enc(created.Id)}/json`);
  const status = info.ExitCode ?? 0;
  if (status !== 0) throw new ExitError('', status);
}

export function execOn(parent: Command): Command {
  const cmd = parent
    .command('exec')
    .description('Execute a command in a running container')
    .argument('<container>')
    .argument('<command...>')
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('-e, --env <list>', 'Set environment variables', collect)
    .option('--env-file <list>', 'Read in a file of environment variables', collect)
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--privileged', 'Give extended privileges to the command')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .action(runExec);
  return describeCommand(cmd, { usage: '[OPTIONS] CONTAINER COMMAND [ARG...]', aliases: ['berth container exec', 'berth exec'] });
}
