import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { MetricsSchema } from '@berth/containerd/gen/containerd/cgroups/stats/v1/metrics_pb';
import { metricsV1 } from './metrics-v1.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-metrics-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function controller(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

describe('cgroup v1 metrics', () => {
  it('reads the files the way containerd/cgroups does', () => {
    const v1 = {
      pids: controller('pids', { 'pids.current': '3\n', 'pids.max': 'max\n' }),
      cpuacct: controller('cpuacct', { 'cpuacct.usage': '123456789\n', 'cpuacct.stat': 'user 150\nsystem 50\n', 'cpuacct.usage_percpu': '100 200 \n' }),
      cpu: controller('cpu', { 'cpu.stat': 'nr_periods 4\nnr_throttled 1\nthrottled_time 99\n' }),
      memory: controller('memory', {
        'memory.stat': 'cache 4096\nrss 8192\npgpgin 7\nhierarchical_memsw_limit 9223372036854771712\ntotal_rss 8192\n',
        'memory.usage_in_bytes': '12288\n',
        'memory.limit_in_bytes': '16777216\n',
        'memory.max_usage_in_bytes': '20000\n',
        'memory.failcnt': '2\n',
        'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n',
      }),
      blkio: controller('blkio', { 'blkio.io_service_bytes_recursive': '8:0 Read 4096\n8:0 Write 0\nTotal 4096\n' }),
    };
    const m = create(MetricsSchema, metricsV1(v1));
    expect(m.pids).toMatchObject({ current: 3n, limit: 0n });
    expect(m.cpu?.usage).toMatchObject({ total: 123456789n, user: 1_500_000_000n, kernel: 500_000_000n, perCpu: [100n, 200n] });
    expect(m.cpu?.throttling).toMatchObject({ periods: 4n, throttledPeriods: 1n, throttledTime: 99n });
    expect(m.memory).toMatchObject({ cache: 4096n, rss: 8192n, pgPgIn: 7n, hierarchicalSwapLimit: 9223372036854771712n, totalRss: 8192n });
    expect(m.memory?.usage).toMatchObject({ usage: 12288n, limit: 16777216n, max: 20000n, failcnt: 2n });
    expect(m.memoryOomControl).toMatchObject({ oomKill: 1n });
    expect(m.blkio?.ioServiceBytesRecursive.map((e) => [e.major, e.minor, e.op, e.value])).toEqual([
      [8n, 0n, 'Read', 4096n],
      [8n, 0n, 'Write', 0n],
    ]);
  });

  it('leaves out what is not mounted', () => {
    const m = create(MetricsSchema, metricsV1({}));
    expect(m.pids).toBeUndefined();
    expect(m.memory).toBeUndefined();
    expect(m.cpu).toBeUndefined();
  });
});
