/**
 * `start -a/-i` and `attach`: the container's settings (Tty, OpenStdin,
 * AutoRemove) decide how our stdio is attached, then the session runs until
 * the daemon closes the stream, and the container's exit status is ours.
 */
import { Option, type Command } from 'commander';
import type { ApiClient } from '../client/api.js';
import { hijack } from '../client/hijack.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { apiOf, enc } from './container-common.js';
import { followTerminalSize, startSession } from './container-io.js';
import { attachQuery, proxySignals, runAttached, waitResult } from './container-run-session.js';

interface ContainerJson {
  Id: string;
  State: { Running: boolean; Paused: boolean; Restarting: boolean };
  Config: { Tty: boolean; OpenStdin: boolean };
  HostConfig: { AutoRemove?: boolean };
}

export async function startContainerAttached(api: ApiClient, name: string, o: { stdin: boolean; detachKeys?: string | undefined }): Promise<number> {
  const c = await api.getJson<ContainerJson>(`/containers/${enc(name)}/json`);
  const stdin = o.stdin && c.Config.OpenStdin;
  if (c.Config.Tty && stdin && !process.stdin.isTTY) throw new ExitError('the input device is not a TTY', 1);
  return runAttached(api, c.Id, {
    stdin,
    stdout: true,
    stderr: true,
    tty: c.Config.Tty,
    sigProxy: true,
    autoRemove: Boolean(c.HostConfig.AutoRemove),
    detachKeys: o.detachKeys,
  });
}

async function runAttach(name: string, o: { stdin?: boolean; sigProxy?: boolean; detachKeys?: string }, self: Command): Promise<void> {
  const api = apiOf(self);
  const c = await api.getJson<ContainerJson>(`/containers/${enc(name)}/json`);
  if (!c.State.Running) throw new ExitError('You cannot attach to a stopped container, start it first', 1);
  if (c.State.Paused) throw new ExitError('You cannot attach to a paused container, unpause it first', 1);
  if (c.State.Restarting) throw new ExitError('You cannot attach to a restarting container, wait until it is running', 1);
  const stdin = o.stdin !== false && c.Config.OpenStdin;
  if (c.Config.Tty && stdin && !process.stdin.isTTY) throw new ExitError('the input device is not a TTY', 1);
  const plan = { stdin, stdout: true, stderr: true, tty: c.Config.Tty, detachKeys: o.detachKeys };
  const conn = await hijack(api, `/containers/${enc(c.Id)}/attach?${attachQuery(plan)}`);
  const exitStatus = await waitResult(api, c.Id, 'not-running');
  const session = startSession(conn, plan);
  const stopResize = plan.tty ? followTerminalSize(api, `/containers/${enc(c.Id)}/resize`) : () => undefined;
  const stopSignals = o.sigProxy !== false && !plan.tty ? proxySignals(api, c.Id) : () => undefined;
  let how: 'ended' | 'detached';
  try {
    how = await session.done;
  } finally {
    stopResize();
    stopSignals();
    session.restore();
  }
  if (how === 'detached') {
    exitStatus.cancel();
    return;
  }
  const status = await exitStatus();
  if (status !== 0) throw new ExitError('', status);
}

export function attachOn(parent: Command): Command {
  const cmd = parent
    .command('attach')
    .description("Attach local standard input, output, and error streams to a running container")
    .argument('<container>')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('--no-stdin', 'Do not attach STDIN')
    .option('--sig-proxy', 'Proxy all received signals to the process (default true)')
    .action(runAttach);
  cmd.addOption(new Option('--no-sig-proxy').hideHelp());
  return describeCommand(cmd, { usage: '[OPTIONS] CONTAINER', aliases: ['berth container attach', 'berth attach'] });
}
