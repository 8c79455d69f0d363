/** state, list, ps, events: reading containers. */
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { invalidArgument, failedPrecondition, internal } from '@berth/errors';
import { containerState, listContainers, containerStatusOf } from '../../container/query.js';
import { containerPids } from '../../container/processes.js';
import { oomKillCount } from '../../container/oom.js';
import { cgroupManagerFromPaths, statsToJSON } from '../../cgroups/index.js';
import { contextFor, requireArgs } from '../context.js';
import { out } from '../output.js';
import { tabwrite } from '../tabwriter.js';

/** Go durations as runc's --interval takes them: "5s", "100ms", "1m30s". */
export function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * (unit[m[2] as string] as number);
    consumed += m[0].length;
  }
  if (consumed !== s.length || s.length === 0) throw invalidArgument(`--interval: time: invalid duration ${JSON.stringify(s)}`);
  return total;
}

export function infoCommands(program: Command): void {
  program
    .command('state')
    .description('output the state of a container')
    .argument('[id...]')
    .action(function (this: Command, ids: string[]) {
      requireArgs('state', ids, 1);
      out(`${JSON.stringify(containerState(contextFor(this).ctx, ids[0] as string), null, '  ')}\n`);
    });

  program
    .command('list')
    .alias('ls')
    .description('lists containers started by runc with the given root')
    .option('-f, --format <format>', 'select one of: table or json', 'table')
    .option('-q, --quiet', 'display only container IDs')
    .action(function (this: Command) {
      const o = this.opts<{ format: string; quiet?: boolean }>();
      const { ctx } = contextFor(this);
      if (o.quiet) {
        // Every container directory, readable state or not: callers clean up from this list.
        out(ctx.store.list().map((id) => `${id}\n`).join(''));
        return;
      }
      const list = listContainers(ctx);
      if (o.format === 'json') {
        out(`${JSON.stringify(list)}\n`);
        return;
      }
      if (o.format !== 'table') throw invalidArgument(`invalid format option`);
      const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
      for (const s of list) rows.push([s.id, String(s.pid), s.status, s.bundle, s.created, s.owner]);
      out(tabwrite(rows));
    });

  program
    .command('ps')
    .description('ps displays the processes running inside a container')
    .option('-f, --format <format>', 'select one of: table or json', 'table')
    .argument('[args...]')
    .passThroughOptions()
    .action(function (this: Command, args: string[]) {
      requireArgs('ps', args, undefined, 1);
      const o = this.opts<{ format: string }>();
      const pids = containerPids(contextFor(this).ctx, args[0] as string);
      if (o.format === 'json') {
        out(`${JSON.stringify(pids)}\n`);
        return;
      }
      if (o.format !== 'table') throw invalidArgument('invalid format option');
      const psArgs = args.length > 1 ? args.slice(1) : ['-ef'];
      const r = spawnSync('ps', psArgs, { encoding: 'utf8' });
      if (r.status !== 0) throw internal(`ps: ${r.stderr || r.error?.message || `exit status ${r.status}`}`);
      const lines = r.stdout.split('\n');
      const header = lines[0] ?? '';
      const pidIndex = header.trim().split(/\s+/).indexOf('PID');
      if (pidIndex < 0) throw invalidArgument("couldn't find PID field in ps output");
      const want = new Set(pids);
      const shown = lines.slice(1).filter((l) => {
        const f = l.trim().split(/\s+/);
        return l.trim() !== '' && want.has(Number(f[pidIndex]));
      });
      out(`${header}\n${shown.map((l) => `${l}\n`).join('')}`);
    });

  program
    .command('events')
    .description('display container events such as OOM notifications, cpu, memory, and IO usage statistics')
    .option('--interval <duration>', 'set the stats collection interval', '5s')
    .option('--stats', 'display the container\'s stats then exit')
    .argument('[id...]')
    .action(async function (this: Command, ids: string[]) {
      requireArgs('events', ids, 1);
      const id = ids[0] as string;
      const o = this.opts<{ interval: string; stats?: boolean }>();
      const interval = parseDuration(o.interval);
      if (interval <= 0) throw invalidArgument('--interval: duration interval must be greater than 0');
      const { ctx } = contextFor(this);
      const record = ctx.store.read(id);
      if (containerStatusOf(ctx, id) === 'stopped') throw failedPrecondition(`container with id ${id} is not running`);
      const cgroups = cgroupManagerFromPaths(record.cgroupPaths);
      // statsToJSON keeps 64-bit counters exact (JSON.stringify would round them).
      const emit = () => out(`${statsToJSON({ type: 'stats', id, data: cgroups.stats() })}\n`);
      if (o.stats) {
        emit();
        return;
      }
      // Stats every interval; OOM kills checked more often, reported as they happen.
      let ooms = oomKillCount(record.cgroupPaths);
      let nextStats = 0;
      for (;;) {
        if (containerStatusOf(ctx, id) === 'stopped') return;
        const count = oomKillCount(record.cgroupPaths);
        for (; ooms < count; ooms++) out(`${JSON.stringify({ type: 'oom', id })}\n`);
        if (Date.now() >= nextStats) {
          emit();
          nextStats = Date.now() + interval;
        }
        await new Promise((r) => setTimeout(r, Math.min(200, interval)));
      }
    });
}
