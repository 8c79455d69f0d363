/**
 * The smaller container verbs: top, diff, port, export, update, commit and
 * `container prune`, each with docker's output and errors.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { openStream } from '../client/stream.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { tabwrite } from '../tabwriter.js';
import { humanSize } from '../units.js';
import { ramInBytes } from './container-create-config.js';
import { apiOf, enc, messageOf } from './container-common.js';
import { filtersJson } from './ps.js';
import { cpOn } from './cp.js';
import { statsOn } from './stats.js';

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];
const aliases = (name: string): string[] => [`berth container ${name}`, `berth ${name}`];

async function runTop(name: string, psArgs: string[], _o: unknown, self: Command): Promise<void> {
  const q = psArgs.length ? `?ps_args=${enc(psArgs.join(' '))}` : '';
  const top = await apiOf(self).getJson<{ Titles: string[]; Processes: string[][] }>(`/containers/${enc(name)}/top${q}`);
  const lines = [top.Titles.join('\t'), ...(top.Processes ?? []).map((p) => p.join('\t'))];
  process.stdout.write(`${tabwrite(`${lines.join('\n')}\n`, { minWidth: 20, padding: 1 })}`);
}

async function runDiff(name: string, _o: unknown, self: Command): Promise<void> {
  const changes = await apiOf(self).getJson<Array<{ Kind: number; Path: string }> | null>(`/containers/${enc(name)}/changes`);
  for (const c of changes ?? []) process.stdout.write(`${['C', 'A', 'D'][c.Kind] ?? '?'} ${c.Path}\n`);
}

async function runPort(name: string, spec: string | undefined, _o: unknown, self: Command): Promise<void> {
  const c = await apiOf(self).getJson<{ NetworkSettings: { Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null } }>(`/containers/${enc(name)}/json`);
  const ports = c.NetworkSettings.Ports ?? {};
  const want = spec ? (spec.includes('/') ? spec : `${spec}/tcp`) : undefined;
  const out: string[] = [];
  for (const key of Object.keys(ports).sort()) {
    if (want && key !== want) continue;
    for (const b of ports[key] ?? []) {
      const addr = `${b.HostIp.includes(':') ? `[${b.HostIp}]` : b.HostIp}:${b.HostPort}`;
      out.push(want ? addr : `${key} -> ${addr}`);
    }
  }
  if (want && !out.length) throw new ExitError(`Error: No public port '${want}' published for ${name}`, 1);
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
}

async function runExport(name: string, o: { output?: string }, self: Command): Promise<void> {
  if (!o.output && process.stdout.isTTY) throw new ExitError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
  const res = await openStream(apiOf(self), `/containers/${enc(name)}/export`);
  const out = o.output ? fs.createWriteStream(o.output) : process.stdout;
  await new Promise<void>((resolve, reject) => {
    res.pipe(out, { end: Boolean(o.output) });
    res.on('end', () => (o.output ? out.once('finish', () => resolve()) : resolve()));
    res.on('error', reject);
  });
}

type UpdateOpts = Record<string, string | undefined>;

async function runUpdate(names: string[], o: UpdateOpts, self: Command): Promise<void> {
  const body: Record<string, unknown> = {};
  const ints: [string, string][] = [['cpuShares', 'CpuShares'], ['cpuPeriod', 'CpuPeriod'], ['cpuQuota', 'CpuQuota'], ['pidsLimit', 'PidsLimit'], ['blkioWeight', 'BlkioWeight']];
  for (const [k, field] of ints) if (o[k] !== undefined) body[field] = Number(o[k]);
  const sizes: [string, string][] = [['memory', 'Memory'], ['memoryReservation', 'MemoryReservation'], ['memorySwap', 'MemorySwap']];
  for (const [k, field] of sizes) if (o[k] !== undefined) body[field] = o[k] === '-1' ? -1 : ramInBytes(o[k] as string);
  if (o.cpus !== undefined) body.NanoCpus = Math.round(Number(o.cpus) * 1e9);
  if (o.cpusetCpus !== undefined) body.CpusetCpus = o.cpusetCpus;
  if (o.cpusetMems !== undefined) body.CpusetMems = o.cpusetMems;
  if (o.restart !== undefined) {
    const [n = '', count] = o.restart.split(':');
    body.RestartPolicy = { Name: n, MaximumRetryCount: count ? Number(count) : 0 };
  }
  if (!Object.keys(body).length) throw new ExitError('you must provide one or more flags when using this command', 1);
  const api = apiOf(self);
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const n of names) {
    try {
      const r = await api.getJson<{ Warnings?: string[] | null }>(`/containers/${enc(n)}/update`, { method: 'POST', body });
      process.stdout.write(`${n}\n`);
      warnings.push(...(r.Warnings ?? []));
    } catch (err) {
      errors.push(messageOf(err));
    }
  }
  // docker prints them on stdout, after the names
  if (warnings.length) process.stdout.write(`${warnings.join('\n')}\n`);
  if (errors.length) throw new ExitError(errors.join('\n'), 1);
}

async function runCommit(name: string, ref: string | undefined, o: { author?: string; message?: string; change?: string[]; pause?: boolean }, self: Command): Promise<void> {
  const q = new URLSearchParams({ container: name });
  if (ref) {
    const slash = ref.lastIndexOf('/');
    const colon = ref.lastIndexOf(':');
    q.set('repo', colon > slash ? ref.slice(0, colon) : ref);
    if (colon > slash) q.set('tag', ref.slice(colon + 1));
  }
  if (o.message) q.set('comment', o.message);
  if (o.author) q.set('author', o.author);
  for (const c of o.change ?? []) q.append('changes', c);
  q.set('pause', o.pause === false ? '0' : '1');
  const r = await apiOf(self).getJson<{ Id: string }>(`/commit?${q.toString()}`, { method: 'POST', body: {}, timeoutMs: 600_000 });
  process.stdout.write(`${r.Id}\n`);
}

async function runPrune(o: { force?: boolean; filter: string[] }, self: Command): Promise<void> {
  if (!o.force) {
    process.stdout.write('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ');
    const answer = await new Promise<string>((resolve) => {
      process.stdin.once('data', (d: Buffer) => resolve(d.toString('utf8')));
      process.stdin.once('end', () => resolve(''));
    });
    process.stdin.pause();
    if (!/^y(es)?$/i.test(answer.trim())) {
      if (!answer) process.stdout.write('\n');
      throw new ExitError('', 0);
    }
  }
  const q = o.filter.length ? `?filters=${enc(filtersJson(o.filter))}` : '';
  const r = await apiOf(self).getJson<{ ContainersDeleted?: string[] | null; SpaceReclaimed?: number }>(`/containers/prune${q}`, { method: 'POST', timeoutMs: 600_000 });
  let out = '';
  if (r.ContainersDeleted?.length) out += `Deleted Containers:\n${r.ContainersDeleted.join('\n')}\n\n`;
  out += `Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`;
  process.stdout.write(out);
}

type Reg = (parent: Command) => Command | undefined;

export const miscCommands: Record<string, Reg> = {
  top: (p) => describeCommand(p.command('top').description('Display the running processes of a container').argument('<container>').argument('[ps-options...]').action(runTop), { usage: 'CONTAINER [ps OPTIONS]', aliases: aliases('top') }),
  diff: (p) => describeCommand(p.command('diff').description("Inspect changes to files or directories on a container's filesystem").argument('<container>').action(runDiff), { usage: 'CONTAINER', aliases: aliases('diff') }),
  port: (p) => describeCommand(p.command('port').description('List port mappings or a specific mapping for the container').argument('<container>').argument('[port]').action(runPort), { usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]', aliases: aliases('port') }),
  export: (p) =>
    describeCommand(
      p.command('export').description("Export a container's filesystem as a tar archive").argument('<container>').option('-o, --output <string>', 'Write to a file, instead of STDOUT').action(runExport),
      { usage: '[OPTIONS] CONTAINER', aliases: aliases('export') },
    ),
  update: (p) =>
    describeCommand(
      p.command('update').description('Update configuration of one or more containers').argument('<container...>')
        .option('--blkio-weight <uint16>', 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)')
        .option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period')
        .option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota')
        .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
        .option('--cpus <decimal>', 'Number of CPUs')
        .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
        .option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)')
        .option('-m, --memory <bytes>', 'Memory limit')
        .option('--memory-reservation <bytes>', 'Memory soft limit')
        .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
        .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)')
        .option('--restart <string>', 'Restart policy to apply when a container exits')
        .action(runUpdate),
      { usage: '[OPTIONS] CONTAINER [CONTAINER...]', aliases: aliases('update') },
    ),
  commit: (p) =>
    describeCommand(
      p.command('commit').description("Create a new image from a container's changes").argument('<container>').argument('[repository]')
        .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
        .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect)
        .option('-m, --message <string>', 'Commit message')
        .option('-p, --pause', 'Pause container during commit (default true)')
        .option('--no-pause', 'Do not pause the container during commit')
        .action(runCommit),
      { usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]', aliases: aliases('commit') },
    ),
  cp: (p) => cpOn(p),
  stats: (p) => statsOn(p),
  prune: (p) =>
    p.name() === 'container'
      ? describeCommand(
          p.command('prune').description('Remove all stopped containers')
            .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect, [])
            .option('-f, --force', 'Do not prompt for confirmation')
            .action(runPrune),
          { usage: '[OPTIONS]' },
        )
      : undefined,
};
