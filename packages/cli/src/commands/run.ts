/**
 * `berth run` and `berth create` (also `container run/create`): docker's
 * flags turned into a create request, the image pulled when missing, then
 * (run) started detached with the id printed, or attached to our stdio with
 * the container's exit status as ours. docker's statuses: 125 for errors
 * before the container runs, 126/127 when its command cannot be run.
 */
import type { Command } from 'commander';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { addCreateFlags, type CreateFlags } from './container-create-flags.js';
import { buildCreateRequest, FlagError, type CreateRequest } from './container-create-config.js';
import { apiOf, enc, messageOf, reportError } from './container-common.js';
import { createContainer } from './container-create.js';
import { runAttached, StartError, startFailureStatus } from './container-run-session.js';

function request(self: Command, o: CreateFlags, image: string, args: string[]): CreateRequest {
  try {
    return buildCreateRequest(o, image, args);
  } catch (err) {
    if (err instanceof FlagError) throw reportError(self, err.message, 125);
    throw err;
  }
}

async function runRun(image: string, args: string[], o: CreateFlags, self: Command): Promise<void> {
  const req = request(self, o, image, args);
  if (o.tty && req.attach.stdin && !process.stdin.isTTY) throw new ExitError('the input device is not a TTY', 1);
  const api = apiOf(self);
  let id: string;
  try {
    id = await createContainer(api, req, o);
  } catch (err) {
    if (err instanceof ExitError) throw err;
    throw reportError(self, messageOf(err), 125);
  }
  if (o.detach) {
    try {
      await api.send(`/containers/${enc(id)}/start`, { method: 'POST' });
    } catch (err) {
      throw reportError(self, messageOf(err), startFailureStatus(messageOf(err)));
    }
    process.stdout.write(`${id}\n`);
    return;
  }
  let status: number;
  try {
    status = await runAttached(api, id, {
      ...req.attach,
      tty: Boolean(o.tty),
      sigProxy: o.sigProxy !== false,
      autoRemove: Boolean(o.rm),
      detachKeys: o.detachKeys,
    });
  } catch (err) {
    if (err instanceof StartError) throw reportError(self, err.message, startFailureStatus(err.message));
    throw err;
  }
  if (status !== 0) throw new ExitError('', status);
}

async function runCreate(image: string, args: string[], o: CreateFlags, self: Command): Promise<void> {
  const req = request(self, o, image, args);
  const id = await createContainer(apiOf(self), req, o);
  process.stdout.write(`${id}\n`);
}

export function runOn(parent: Command, name: string): Command {
  const cmd = parent.command(name).description('Create and run a new container from an image').argument('<image>').argument('[command...]');
  addCreateFlags(cmd, true).action(runRun);
  return describeCommand(cmd, { usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]', aliases: ['berth container run', 'berth run'] });
}

export function createOn(parent: Command, name: string): Command {
  const cmd = parent.command(name).description('Create a new container').argument('<image>').argument('[command...]');
  addCreateFlags(cmd, false).action(runCreate);
  return describeCommand(cmd, { usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]', aliases: ['berth container create', 'berth create'] });
}
