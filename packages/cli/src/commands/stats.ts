/**
 * `berth stats`: per-container CPU, memory, network, block I/O and pids from
 * GET /containers/{id}/stats, computed as docker's CLI does (CPU from the
 * delta against the previous sample, memory without the inactive file
 * cache). --no-stream prints one table; otherwise it is redrawn every second.
 */
import type { Command } from 'commander';
import type { ApiClient } from '../client/api.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { formatRows, TemplateError } from '../template/format.js';
import { humanSize } from '../units.js';
import { apiOf, enc, messageOf } from './container-common.js';
import { bytesSize } from './info-page.js';

interface StatsJson {
  id?: string;
  name?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op: string; value: number }> | null };
  pids_stats?: { current?: number };
}

const headers: Record<string, string> = {
  ID: 'CONTAINER ID', Container: 'CONTAINER', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};

export function statsRow(asked: string, s: StatsJson): Record<string, unknown> {
  const cpu = s.cpu_stats ?? {};
  const pre = s.precpu_stats ?? {};
  const cpuDelta = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const sysDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const online = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 0;
  const cpuPerc = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * online * 100 : 0;
  const m = s.memory_stats ?? {};
  const inactive = m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? 0;
  const usage = m.usage !== undefined && inactive < m.usage ? m.usage - inactive : (m.usage ?? 0);
  const limit = m.limit ?? 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes;
    tx += n.tx_bytes;
  }
  let read = 0;
  let write = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (e.op.toLowerCase() === 'read') read += e.value;
    if (e.op.toLowerCase() === 'write') write += e.value;
  }
  const id = s.id ?? '';
  return {
    BlockIO: `${humanSize(read)} / ${humanSize(write)}`,
    CPUPerc: `${cpuPerc.toFixed(2)}%`,
    Container: asked,
    ID: id.slice(0, 12),
    MemPerc: `${(limit ? (usage / limit) * 100 : 0).toFixed(2)}%`,
    MemUsage: `${bytesSize(usage)} / ${bytesSize(limit)}`,
    Name: (s.name ?? '').replace(/^\//, ''),
    NetIO: `${humanSize(rx)} / ${humanSize(tx)}`,
    PIDs: String(s.pids_stats?.current ?? 0),
  };
}

async function sample(api: ApiClient, names: string[]): Promise<{ rows: Record<string, unknown>[]; errors: string[] }> {
  const rows: Record<string, unknown>[] = [];
  const errors: string[] = [];
  await Promise.all(
    names.map(async (n, i) => {
      try {
        rows[i] = statsRow(n, await api.getJson<StatsJson>(`/containers/${enc(n)}/stats?stream=0`));
      } catch (err) {
        errors.push(messageOf(err));
      }
    }),
  );
  return { rows: rows.filter(Boolean), errors };
}

async function runStats(names: string[], o: { all?: boolean; format?: string; stream?: boolean; trunc?: boolean }, self: Command): Promise<void> {
  const api = apiOf(self);
  const f = o.format ?? '';
  const format = !f || f === 'table' ? 'table {{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}\\t{{.MemPerc}}\\t{{.NetIO}}\\t{{.BlockIO}}\\t{{.PIDs}}' : f === 'json' ? '{{json .}}' : f;
  const list = async (): Promise<string[]> => {
    if (names.length) return names;
    const cs = await api.getJson<Array<{ Id: string }>>(`/containers/json${o.all ? '?all=1' : ''}`);
    return cs.map((c) => c.Id.slice(0, 12));
  };
  for (;;) {
    const { rows, errors } = await sample(api, await list());
    let out: string;
    try {
      out = formatRows(format, o.trunc === false ? rows.map((r) => ({ ...r })) : rows, headers);
    } catch (err) {
      if (err instanceof TemplateError) throw new ExitError(`template parsing error: ${err.message}`, 64);
      throw err;
    }
    if (o.stream === false) {
      process.stdout.write(out);
      if (errors.length) throw new ExitError(errors.join('\n'), 1);
      return;
    }
    process.stdout.write(`\x1b[2J\x1b[H${out}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function statsOn(parent: Command): Command {
  const cmd = parent
    .command('stats')
    .description('Display a live stream of container(s) resource usage statistics')
    .argument('[container...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('--format <string>', "Format output using a custom template:\n'table':            Print output in table format with\ncolumn headers (default)\n'table TEMPLATE':   Print output in table format\nusing the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given\nGo template.\nRefer to https://docs.docker.com/go/formatting/\nfor more information about formatting output with\ntemplates")
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--no-trunc', "Don't truncate output")
    .action(runStats);
  return describeCommand(cmd, { usage: '[OPTIONS] [CONTAINER...]', aliases: ['berth container stats', 'berth stats'] });
}
