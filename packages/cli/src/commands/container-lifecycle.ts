/**
 * The per-container verbs: start, stop, restart, kill, rm, pause, unpause,
 * wait, rename. Each name is handled in turn; the names that worked are
 * printed, the errors come after (exit 1), as docker's.
 */
import type { Command } from 'commander';
import { compareVersions } from '../client/version.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { apiOf, enc, forEachContainer, messageOf } from './container-common.js';
import { waitResult } from './container-run-session.js';
import { startContainerAttached } from './container-start.js';

type Opts = Record<string, string | boolean | undefined>;

/** stop/restart's ?t= and ?signal= (signal only where the API has it, 1.42+). */
async function stopQuery(self: Command, o: Opts): Promise<string> {
  const q = new URLSearchParams();
  const time = o.timeout ?? o.time;
  if (typeof time === 'string') {
    if (!/^-?\d+$/.test(time)) throw new ExitError(`invalid argument "${time}" for "-t, --timeout" flag: strconv.ParseInt: parsing "${time}": invalid syntax`, 125);
    q.set('t', time);
  }
  if (typeof o.signal === 'string' && compareVersions(await apiOf(self).apiVersion(), '1.42') >= 0) q.set('signal', o.signal);
  return q.size ? `?${q.toString()}` : '';
}

async function post(self: Command, names: string[], path: (n: string) => string, summary?: string, timeoutMs = 30_000): Promise<void> {
  const api = apiOf(self);
  await forEachContainer(
    names,
    async (n) => {
      await api.send(path(n), { method: 'POST', timeoutMs });
      return n;
    },
    summary,
  );
}

async function runStart(names: string[], o: Opts, self: Command): Promise<void> {
  if (o.attach || o.interactive) {
    if (names.length > 1) throw new ExitError('you cannot start and attach multiple containers at once', 1);
    const status = await startContainerAttached(apiOf(self), names[0] as string, { stdin: Boolean(o.interactive), detachKeys: o.detachKeys as string | undefined });
    if (status !== 0) throw new ExitError('', status);
    return;
  }
  await post(self, names, (n) => `/containers/${enc(n)}/start`, 'failed to start containers');
}

async function runStop(verb: 'stop' | 'restart', names: string[], o: Opts, self: Command): Promise<void> {
  const q = await stopQuery(self, o);
  await post(self, names, (n) => `/containers/${enc(n)}/${verb}${q}`, undefined, 24 * 3600_000);
}

async function runKill(names: string[], o: Opts, self: Command): Promise<void> {
  const q = typeof o.signal === 'string' && o.signal ? `?signal=${enc(o.signal)}` : '';
  await post(self, names, (n) => `/containers/${enc(n)}/kill${q}`);
}

async function runRm(names: string[], o: Opts, self: Command): Promise<void> {
  const q = new URLSearchParams();
  if (o.volumes) q.set('v', '1');
  if (o.link) q.set('link', '1');
  if (o.force) q.set('force', '1');
  const api = apiOf(self);
  await forEachContainer(names, async (n) => {
    try {
      await api.send(`/containers/${enc(n)}${q.size ? `?${q.toString()}` : ''}`, { method: 'DELETE', timeoutMs: 600_000 });
    } catch (err) {
      // rm -f of a container that is not there: docker says so but does not fail
      if (o.force && /No such container/.test(messageOf(err))) {
        process.stderr.write(`${messageOf(err)}\n`);
        return undefined;
      }
      throw err;
    }
    return n;
  });
}

async function runWait(names: string[], _o: Opts, self: Command): Promise<void> {
  const api = apiOf(self);
  await forEachContainer(names, async (n) => String(await (await waitResult(api, n, 'not-running'))()));
}

async function runRename(from: string, to: string, _o: Opts, self: Command): Promise<void> {
  if (!to.trim()) throw new ExitError('Error: neither old nor new names may be empty', 1);
  try {
    await apiOf(self).send(`/containers/${enc(from)}/rename?name=${enc(to)}`, { method: 'POST' });
  } catch (err) {
    throw new ExitError(`${messageOf(err)}\nError: failed to rename container named ${from}`, 1);
  }
}

type Reg = (parent: Command, aliases: boolean) => Command;
const aliasesFor = (name: string, extra: string[] = []): string[] => [`berth container ${name}`, ...extra, `berth ${name}`];

export const lifecycleCommands: Record<string, Reg> = {
  start: (p) =>
    describeCommand(
      p.command('start').description('Start one or more stopped containers').argument('<container...>')
        .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
        .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
        .option('-i, --interactive', "Attach container's STDIN")
        .action(runStart),
      { usage: '[OPTIONS] CONTAINER [CONTAINER...]', aliases: aliasesFor('start') },
    ),
  stop: (p) =>
    describeCommand(
      p.command('stop').description('Stop one or more running containers').argument('<container...>')
        .option('-s, --signal <string>', 'Signal to send to the container')
        .option('-t, --timeout <int>', 'Seconds to wait before killing the container')
        .action((n: string[], o: Opts, s: Command) => runStop('stop', n, o, s)),
      { usage: '[OPTIONS] CONTAINER [CONTAINER...]', aliases: aliasesFor('stop') },
    ),
  restart: (p) =>
    describeCommand(
      p.command('restart').description('Restart one or more containers').argument('<container...>')
        .option('-s, --signal <string>', 'Signal to send to the container')
        .option('-t, --timeout <int>', 'Seconds to wait before killing the container')
        .action((n: string[], o: Opts, s: Command) => runStop('restart', n, o, s)),
      { usage: '[OPTIONS] CONTAINER [CONTAINER...]', aliases: aliasesFor('restart') },
    ),
  kill: (p) =>
    describeCommand(
      p.command('kill').description('Kill one or more running containers').argument('<container...>')
        .option('-s, --signal <string>', 'Signal to send to the container')
        .action(runKill),
      { usage: '[OPTIONS] CONTAINER [CONTAINER...]', aliases: aliasesFor('kill') },
    ),
  rm: (p) =>
    describeCommand(
      p.command('rm').description('Remove one or more containers').argument('<container...>')
        .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
        .option('-l, --link', 'Remove the specified link')
        .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
        .action(runRm),
      { usage: '[OPTIONS] CONTAINER [CONTAINER...]', aliases: ['berth container rm', 'berth container remove', 'berth rm'] },
    ),
  pause: (p) =>
    describeCommand(
      p.command('pause').description('Pause all processes within one or more containers').argument('<container...>')
        .action((n: string[], _o: Opts, s: Command) => post(s, n, (c) => `/containers/${enc(c)}/pause`)),
      { usage: 'CONTAINER [CONTAINER...]', aliases: aliasesFor('pause') },
    ),
  unpause: (p) =>
    describeCommand(
      p.command('unpause').description('Unpause all processes within one or more containers').argument('<container...>')
        .action((n: string[], _o: Opts, s: Command) => post(s, n, (c) => `/containers/${enc(c)}/unpause`)),
      { usage: 'CONTAINER [CONTAINER...]', aliases: aliasesFor('unpause') },
    ),
  wait: (p) =>
    describeCommand(
      p.command('wait').description('Block until one or more containers stop, then print their exit codes').argument('<container...>').action(runWait),
      { usage: 'CONTAINER [CONTAINER...]', aliases: aliasesFor('wait') },
    ),
  rename: (p) =>
    describeCommand(
      p.command('rename').description('Rename a container').argument('<container>').argument('<new-name>').action(runRename),
      { usage: 'CONTAINER NEW_NAME', aliases: aliasesFor('rename') },
    ),
};
