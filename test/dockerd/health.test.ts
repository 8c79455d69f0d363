/**
 * Healthchecks on berthd through the docker CLI 28: --health-* flags and an
 * image's HEALTHCHECK run as execs in the container; State.Health (status,
 * failing streak, the last probes' output) in inspect, the ps status suffix
 * and `--filter health=`, the timeout, the start period, health_status
 * events, and --no-healthcheck.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveBinaries, runCmd, waitUntil } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { dockerCli } from './berthd.js';
import { berthdWithBusybox } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

interface Health { Status: string; FailingStreak: number; Log: { ExitCode: number; Output: string }[] }

describe.skipIf(!available)('healthchecks on berthd', () => {
  const suite = berthdWithBusybox();
  const { ok, inspect } = suite;
  const health = (name: string) => JSON.parse(inspect(name, '{{json .State.Health}}')) as Health | null;
  const status = (name: string) => ok('ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}').trim();

  it('goes starting -> unhealthy -> healthy as the probe fails and then passes, shown by inspect, ps and events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    ok('run', '-d', '--name', 'h1', '--health-cmd', 'test -f /tmp/ok && echo fine', '--health-interval', '1s', '--health-retries', '2',
      'busybox', 'sh', '-c', 'sleep 4; touch /tmp/ok; exec sleep 300');
    expect(health('h1')?.Status).toBe('starting');
    expect(status('h1')).toMatch(/^Up .* \(health: starting\)$/);
    await waitUntil(() => health('h1')?.Status === 'unhealthy', 20_000, 'h1 to be unhealthy');
    expect(health('h1')?.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(status('h1')).toMatch(/\(unhealthy\)$/);
    expect(ok('ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}').trim()).toBe('h1');
    await waitUntil(() => health('h1')?.Status === 'healthy', 20_000, 'h1 to be healthy');
    const h = health('h1');
    expect(h?.FailingStreak).toBe(0);
    expect(h?.Log.at(-1)).toMatchObject({ ExitCode: 0, Output: 'fine\n' });
    expect(h?.Log.length).toBeLessThanOrEqual(5);
    expect(status('h1')).toMatch(/\(healthy\)$/);
    expect(ok('ps', '--filter', 'health=healthy', '--format', '{{.Names}}').trim()).toBe('h1');
    const events = ok('events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=h1', '--format', '{{.Action}}');
    expect(events).toContain('health_status: unhealthy');
    expect(events).toContain('health_status: healthy');
    ok('rm', '-f', 'h1');
  }, 90_000);

  it('fails a probe that outlives its timeout, and does not count failures within the start period', async () => {
    ok('run', '-d', '--name', 'h2', '--health-cmd', 'sleep 5', '--health-timeout', '1s', '--health-interval', '1s', '--health-retries', '1', 'busybox', 'sleep', '300');
    await waitUntil(() => health('h2')?.Status === 'unhealthy', 20_000, 'h2 to be unhealthy');
    expect(health('h2')?.Log.at(-1)).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout (1s)' });
    ok('run', '-d', '--name', 'h3', '--health-cmd', 'false', '--health-interval', '1s', '--health-retries', '1', '--health-start-period', '60s', '--health-start-interval', '1s', 'busybox', 'sleep', '300');
    await waitUntil(() => (health('h3')?.Log.length ?? 0) >= 2, 20_000, 'h3 to be probed twice');
    expect(health('h3')).toMatchObject({ Status: 'starting', FailingStreak: 0 });
    ok('rm', '-f', 'h2', 'h3');
  }, 90_000);

  it('runs an image\'s HEALTHCHECK, and none with --no-healthcheck', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-health-'));
    try {
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nHEALTHCHECK --interval=1s CMD ["true"]\n');
      const built = runCmd(dockerCli, ['build', '-q', '-t', 'checked:1', dir], { env: { ...suite.d.env, DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
      expect(built.status, built.stderr).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    ok('run', '-d', '--name', 'h4', 'checked:1', 'sleep', '300');
    await waitUntil(() => health('h4')?.Status === 'healthy', 20_000, 'h4 to be healthy');
    ok('run', '-d', '--name', 'h5', '--no-healthcheck', 'checked:1', 'sleep', '300');
    expect(health('h5')).toBeNull();
    expect(status('h5')).not.toContain('health');
    ok('rm', '-f', 'h4', 'h5');
    ok('rmi', 'checked:1');
  }, 90_000);

  it('takes the same --health-* flags in berth as in docker, with docker\'s errors', async () => {
    const berth = (...args: string[]) => runCmd(bin('berth'), args, { env: suite.d.env, timeoutMs: 60_000 });
    const r = berth('run', '-d', '--name', 'h6', '--health-cmd', 'echo via berth', '--health-interval', '500ms', 'busybox', 'sleep', '300');
    expect(r.status, r.stderr).toBe(0);
    await waitUntil(() => health('h6')?.Status === 'healthy', 20_000, 'h6 to be healthy');
    expect(JSON.parse(inspect('h6', '{{json .Config.Healthcheck}}'))).toEqual({ Test: ['CMD-SHELL', 'echo via berth'], Interval: 500_000_000 });
    ok('rm', '-f', 'h6');
    for (const args of [['--no-healthcheck', '--health-cmd', 'true'], ['--health-interval', '-1s'], ['--health-retries', '-2'], ['--health-timeout', 'soon']]) {
      const ours = berth('create', ...args, 'busybox', 'true');
      const theirs = suite.docker('create', ...args, 'busybox', 'true');
      expect([ours.status, ours.stderr.replace(/berth/g, 'docker')]).toEqual([theirs.status, theirs.stderr]);
    }
  }, 60_000);
});
