/**
 * Container housekeeping on berthd, judged by the real docker CLI 28: stats
 * (docker stats --no-stream, the raw StatsJSON one-shot, primed and streamed,
 * a stopped container's zeroed object), update (the cgroup files change, the
 * record keeps the new limits, docker's 400s and 409s), container prune,
 * system df (-v) with the containers' writable-layer sizes, ps -s and
 * inspect -s, and rmi refused while containers use the image.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupDirs, haveBinaries, runCmd, waitUntil } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { dockerCli, request } from './berthd.js';
import { berthdWithBusybox } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);
const MiB = 1024 * 1024;

/** The first `count` JSON lines of a streamed GET, then the connection is dropped. */
function streamLines(socket: string, urlPath: string, count: number): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method: 'GET', path: urlPath, headers: { Host: 'docker' } }, (res) => {
      let buf = '';
      const out: Record<string, unknown>[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0 && out.length < count) {
          out.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
          buf = buf.slice(nl + 1);
        }
        if (out.length >= count) {
          req.destroy();
          resolve(out);
        }
      });
      res.on('end', () => resolve(out));
    });
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
    req.end();
  });
}

function post(socket: string, urlPath: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ socketPath: socket, method: 'POST', path: urlPath, headers: { Host: 'docker', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

describe.skipIf(!available)('container stats, update, prune, system df and rmi on berthd', () => {
  const suite = berthdWithBusybox();
  const { docker, inspect, ok } = suite;
  const cgroupFile = (id: string, controller: string, file: string) => {
    const dir = cgroupDirs(`${suite.d.cgroupParent}/${id}`).find((p) => fs.existsSync(path.join(p, file)) && p.split('/').some((seg) => seg.split(',').includes(controller)));
    expect(dir, `${controller} cgroup of ${id}`).toBeDefined();
    return fs.readFileSync(path.join(dir ?? '', file), 'utf8').trim();
  };
  const json = async (method: string, urlPath: string) => {
    const r = await request(suite.d.socket, method, urlPath);
    return { status: r.status, body: JSON.parse(r.body) as Record<string, unknown> };
  };

  it('reports stats: docker stats --no-stream, the raw StatsJSON (primed, one-shot, streamed) and a stopped container\'s zeroes', async () => {
    const id = ok('run', '-d', '--name', 'st', '-m', '64m', '--pids-limit', '40', 'busybox', 'sh', '-c', 'head -c 8m /dev/zero > /tmp/fill; sleep 300').trim();
    const line = ok('stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}} {{.PIDs}}', 'st').trim();
    expect(line).toMatch(/^st [\d.]+(B|KiB|MiB) \/ 64MiB [1-9]\d*$/);
    const table = ok('stats', '--no-stream').split('\n');
    expect(table[0]).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    expect(table[1]).toMatch(new RegExp(`^${id.slice(0, 12)}\\s+st\\s+[\\d.]+%\\s+[\\d.]+\\w+ / 64MiB\\s+[\\d.]+%`));

    const { status, body } = await json('GET', '/containers/st/stats?stream=0');
    expect(status).toBe(200);
    expect(body.id).toBe(id);
    expect(body.name).toBe('/st');
    const mem = body.memory_stats as { usage: number; limit: number; stats: Record<string, number> };
    expect(mem.usage).toBeGreaterThan(0);
    expect(mem.limit).toBe(64 * MiB);
    expect(mem.stats.total_cache).toBeGreaterThanOrEqual(0);
    const cpu = body.cpu_stats as { cpu_usage: { total_usage: number }; system_cpu_usage: number; online_cpus: number };
    const pre = body.precpu_stats as typeof cpu;
    expect(cpu.cpu_usage.total_usage).toBeGreaterThan(0);
    expect(pre.cpu_usage.total_usage).toBeGreaterThan(0);
    expect(cpu.system_cpu_usage).toBeGreaterThan(pre.system_cpu_usage);
    expect(cpu.online_cpus).toBeGreaterThan(0);
    expect(Date.parse(body.read as string)).toBeGreaterThan(Date.parse(body.preread as string));
    // busybox sh execs its last command: one process
    expect(body.pids_stats).toEqual({ current: 1, limit: 40 });
    expect(body.networks).toBeUndefined();

    const one = (await json('GET', '/containers/st/stats?stream=0&one-shot=1')).body;
    expect((one.precpu_stats as typeof cpu).cpu_usage.total_usage).toBe(0);
    expect(one.preread).toBe('0001-01-01T00:00:00Z');
    expect((one.memory_stats as typeof mem).usage).toBeGreaterThan(0);

    const t0 = Date.now();
    const lines = await streamLines(suite.d.socket, `/containers/${id}/stats`, 3);
    expect(lines).toHaveLength(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1800);
    expect(lines[2]?.preread).toBe(lines[1]?.read);
    expect(lines[2]?.precpu_stats).toEqual(lines[1]?.cpu_stats);

    ok('stop', '-t', '0', 'st');
    const zero = (await json('GET', '/containers/st/stats?stream=0')).body;
    expect(zero.read).toBe('0001-01-01T00:00:00Z');
    expect(zero.memory_stats).toEqual({});
    expect(zero.pids_stats).toEqual({});
    expect(zero.cpu_stats).toEqual({ cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } });
    expect(zero.id).toBe(id);
    expect((await request(suite.d.socket, 'GET', '/containers/nope/stats?stream=0')).status).toBe(404);
    ok('rm', 'st');
  }, 90_000);

  it('updates a running container\'s limits in its cgroup and record, and refuses bad values as docker does', async () => {
    const id = ok('run', '-d', '--name', 'up', '-m', '64m', 'busybox', 'sleep', '300').trim();
    expect(cgroupFile(id, 'memory', 'memory.limit_in_bytes')).toBe(String(64 * MiB));
    expect(ok('update', '-m', '128m', '--memory-swap', '256m', 'up')).toBe('up\n');
    expect(cgroupFile(id, 'memory', 'memory.limit_in_bytes')).toBe(String(128 * MiB));
    expect(cgroupFile(id, 'memory', 'memory.memsw.limit_in_bytes')).toBe(String(256 * MiB));
    expect(inspect('up', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}')).toBe(`${128 * MiB} ${256 * MiB}`);

    ok('update', '--cpus', '0.5', '--cpu-shares', '512', '--pids-limit', '20', '--restart', 'on-failure:3', 'up');
    expect(cgroupFile(id, 'cpu', 'cpu.cfs_quota_us')).toBe('50000');
    expect(cgroupFile(id, 'cpu', 'cpu.cfs_period_us')).toBe('100000');
    expect(cgroupFile(id, 'cpu', 'cpu.shares')).toBe('512');
    expect(cgroupFile(id, 'pids', 'pids.max')).toBe('20');
    expect(inspect('up', '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.HostConfig.Memory}}'))
      .toBe(`500000000 512 20 on-failure:3 ${128 * MiB}`);
    expect(ok('stats', '--no-stream', '--format', '{{.MemUsage}}', 'up').trim()).toMatch(/ \/ 128MiB$/);

    const tiny = docker('update', '-m', '1m', 'up');
    expect(tiny.status).toBe(1);
    expect(tiny.stderr).toMatch(/Error response from daemon: Minimum memory limit allowed is 6MB/);
    const overSwap = docker('update', '-m', '512m', 'up');
    expect(overSwap.status).toBe(1);
    expect(overSwap.stderr).toMatch(new RegExp(`Cannot update container ${id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time`));
    const period = docker('update', '--cpu-period', '50000', 'up');
    expect(period.stderr).toMatch(/CPU Period cannot be updated as NanoCPUs has already been set/);
    const weight = docker('update', '--blkio-weight', '5', 'up');
    expect(weight.stderr).toMatch(/Range of blkio weight is from 10 to 1000/);
    // an empty update changes nothing and succeeds
    expect((await post(suite.d.socket, '/containers/up/update', {})).status).toBe(200);
    // nothing changed by the refused updates
    expect(cgroupFile(id, 'memory', 'memory.limit_in_bytes')).toBe(String(128 * MiB));
    expect(inspect('up', '{{.HostConfig.Memory}} {{.HostConfig.BlkioWeight}}')).toBe(`${128 * MiB} 0`);
    ok('rm', '-f', 'up');
  }, 90_000);

  it('updates a stopped container for its next start, and keeps --rm containers from restart policies', async () => {
    const id = ok('create', '--name', 'later', 'busybox', 'sleep', '300').trim();
    ok('update', '-m', '96m', '--memory-swap', '-1', 'later');
    ok('start', 'later');
    expect(cgroupFile(id, 'memory', 'memory.limit_in_bytes')).toBe(String(96 * MiB));
    ok('rm', '-f', 'later');

    ok('run', '-d', '--rm', '--name', 'auto', 'busybox', 'sleep', '300');
    const r = docker('update', '--restart', 'always', 'auto');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Restart policy cannot be updated because AutoRemove is enabled for the container/);
    const both = await post(suite.d.socket, '/containers/auto/update', { AutoRemove: true, RestartPolicy: { Name: 'always' } });
    expect(both.status).toBe(400);
    expect(both.body).toMatch(/can't create 'AutoRemove' container with restart policy/);
    const unknown = await post(suite.d.socket, '/containers/auto/update', { RestartPolicy: { Name: 'sometimes' } });
    expect(unknown.status).toBe(400);
    ok('stop', '-t', '0', 'auto');
    await waitUntil(() => docker('inspect', 'auto').status !== 0, 10_000, 'auto to be removed');
  }, 60_000);

  it('prunes stopped containers with docker\'s output, honouring label filters', async () => {
    const a = ok('create', '--label', 'tier=a', 'busybox', 'true').trim();
    ok('run', '--label', 'tier=b', 'busybox', 'sh', '-c', 'head -c 100000 /dev/zero > /big');
    ok('run', '-d', '--name', 'alive', 'busybox', 'sleep', '300');
    const bId = ok('ps', '-aq', '--no-trunc', '--filter', 'label=tier=b').trim();
    expect(bId).toMatch(/^[0-9a-f]{64}$/);
    // an untouched container's upper dir is one empty directory: a block or nothing, by the filesystem
    expect(ok('container', 'prune', '-f', '--filter', 'label=tier=a')).toMatch(new RegExp(`^Deleted Containers:\\n${a}\\n\\nTotal reclaimed space: (0B|[\\d.]+kB)\\n$`));
    const second = ok('container', 'prune', '-f', '--filter', 'label!=tier=zzz');
    expect(second).toMatch(new RegExp(`^Deleted Containers:\\n${bId}\\n\\nTotal reclaimed space: 1\\d\\d(\\.\\d+)?kB\\n$`));
    expect(ok('ps', '-a', '--format', '{{.Names}}')).toBe('alive\n');
    expect(ok('container', 'prune', '-f')).toBe('Total reclaimed space: 0B\n');
    const bad = docker('container', 'prune', '-f', '--filter', 'colour=red');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/invalid filter 'colour'/);
    ok('rm', '-f', 'alive');
  }, 60_000);

  it('shows disk usage: system df (-v), ps -s and inspect -s with the writable layer\'s size', async () => {
    ok('run', '--name', 'writer', 'busybox', 'sh', '-c', 'head -c 2097152 /dev/urandom > /blob');
    const id = inspect('writer', '{{.Id}}');
    const sized = (await json('GET', `/containers/${id}/json?size=1`)).body;
    expect(sized.SizeRw).toBeGreaterThanOrEqual(2 * MiB);
    expect(sized.SizeRootFs as number).toBeGreaterThan(sized.SizeRw as number);
    expect((await json('GET', '/containers/writer/json')).body.SizeRw).toBeUndefined();
    expect(ok('ps', '-as', '--format', '{{.Names}} {{.Size}}')).toMatch(/^writer 2\.\d+MB \(virtual \d+(\.\d+)?[kM]B\)$/m);

    const df = (await json('GET', '/system/df')).body;
    expect(df.LayersSize).toBeGreaterThan(0);
    expect(df.Volumes).toEqual([]);
    expect(df.BuildCache).toEqual([]);
    const imgs = df.Images as { Containers: number; SharedSize: number; RepoTags: string[] }[];
    expect(imgs.find((i) => i.RepoTags.includes('busybox:latest'))?.Containers).toBe(1);
    const ctrs = df.Containers as { Names: string[]; SizeRw: number }[];
    expect(ctrs.find((c) => c.Names[0] === '/writer')?.SizeRw).toBeGreaterThanOrEqual(2 * MiB);
    const onlyImages = (await json('GET', '/system/df?type=image')).body;
    expect(onlyImages.Containers).toBeNull();
    expect((await request(suite.d.socket, 'GET', '/system/df?type=nope')).status).toBe(400);

    const table = ok('system', 'df').split('\n');
    expect(table[0]).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    expect(table[1]).toMatch(/^Images\s+1\s+1\s+[\d.]+[kM]B\s+0B \(0%\)$/);
    expect(table[2]).toMatch(/^Containers\s+1\s+0\s+2\.\d+MB\s+2\.\d+MB \(100%\)$/);
    expect(table[3]).toMatch(/^Local Volumes\s+0\s+0\s+0B\s+0B$/);
    expect(table[4]).toMatch(/^Build Cache\s+0\s+0\s+0B\s+0B$/);
    const verbose = ok('system', 'df', '-v');
    expect(verbose).toMatch(/Images space usage:\n\nREPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS\nbusybox\s+latest\s+[0-9a-f]{12}\s+.+\s+1\n/);
    expect(verbose).toMatch(new RegExp(`Containers space usage:\\n\\nCONTAINER ID\\s+IMAGE\\s+COMMAND\\s+LOCAL VOLUMES\\s+SIZE\\s+CREATED\\s+STATUS\\s+NAMES\\n${id.slice(0, 12)}\\s+busybox\\s+.+2\\.\\d+MB\\s+.+writer\\n`));
    ok('rm', 'writer');
  }, 60_000);

  it('refuses to remove an image containers use, with docker\'s conflicts, and untags it when forced', () => {
    const tar = path.join(suite.d.dir, 'solo.tar');
    expect(runCmd('tar', ['-C', busyboxRootfs, '-cf', tar, '.']).status).toBe(0);
    ok('import', tar, 'solo:1');
    const imageId = inspect('solo:1', '{{.Id}}').replace('sha256:', '');
    const stopped = ok('create', 'solo:1', 'true').trim();
    const byName = docker('rmi', 'solo:1');
    expect(byName.status).toBe(1);
    expect(byName.stderr).toBe(`Error response from daemon: conflict: unable to delete solo:1 (must be forced) - container ${stopped.slice(0, 12)} is using its referenced image ${imageId.slice(0, 12)}\n`);
    const byId = docker('rmi', imageId.slice(0, 12));
    expect(byId.stderr).toBe(`Error response from daemon: conflict: unable to delete ${imageId.slice(0, 12)} (must be forced) - image is being used by stopped container ${stopped.slice(0, 12)}\n`);
    const running = ok('run', '-d', 'solo:1', 'sleep', '300').trim();
    const hard = docker('rmi', '-f', imageId.slice(0, 12));
    expect(hard.status).toBe(1);
    expect(hard.stderr).toBe(`Error response from daemon: conflict: unable to delete ${imageId.slice(0, 12)} (cannot be forced) - image is being used by running container ${running.slice(0, 12)}\n`);
    // forced by name: the name goes, the image stays (untagged) for its containers
    expect(ok('rmi', '-f', 'solo:1')).toBe('Untagged: solo:1\n');
    expect(ok('images', '-q', '--filter', 'dangling=true')).toBe(`${imageId.slice(0, 12)}\n`);
    expect(inspect(stopped, '{{.Image}}')).toBe(`sha256:${imageId}`);
    ok('rm', '-f', stopped, running);
    expect(ok('rmi', imageId.slice(0, 12))).toBe(`Deleted: sha256:${imageId}\n`);
    // an image with another name is only untagged by name, containers or not
    ok('tag', 'busybox', 'other:1');
    const user = ok('create', 'other:1', 'true').trim();
    expect(ok('rmi', 'other:1')).toBe('Untagged: other:1\n');
    ok('rm', user);
  }, 60_000);
});
