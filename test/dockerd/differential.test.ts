/**
 * berthd against the real dockerd 20.10 (Debian docker.io, private socket, roots
 * and no networking changes), both asked by the same docker CLI 28: the JSON
 * shapes the CLI reads must have the same keys.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../containerd/daemons.js';
import { haveBinaries, mountsUnder, runCmd, startDaemon, trackHostDirs, unmountUnder, waitUntil, type Daemon } from '../helpers/daemon.js';
import { bin } from '../helpers/paths.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'dockerd', 'containerd') && fs.existsSync(bin('berthd'));

describe.skipIf(!available)('berthd and the real dockerd answer the docker CLI alike', () => {
  let berthd: Berthd;
  let real: Daemon | undefined;
  let tmp: string;
  let execRoot: string;
  let realEnv: NodeJS.ProcessEnv;
  let forgetHostDirs: (() => void) | undefined;
  const realDocker = (args: string[]) => runCmd(dockerCli, args, { env: realEnv, timeoutMs: 20_000 });

  beforeAll(async () => {
    berthd = await startBerthd();
    tmp = tempDir('realdockerd');
    execRoot = path.join(tmp, 'exec');
    const sock = path.join(tmp, 'docker.sock');
    const config = path.join(tmp, 'daemon.json');
    fs.writeFileSync(config, JSON.stringify({ 'deprecated-key-path': path.join(tmp, 'key.json') }));
    realEnv = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(tmp, 'cli') };
    delete realEnv.DOCKER_CONTEXT;
    forgetHostDirs = trackHostDirs(['/run/docker', '/run/docker/plugins', '/opt/containerd', '/opt/containerd/bin', '/opt/containerd/lib']);
    real = startDaemon('dockerd', [
      '-H', `unix://${sock}`, '--data-root', path.join(tmp, 'data'), '--exec-root', execRoot,
      '--pidfile', path.join(tmp, 'docker.pid'), '--config-file', config, '--bridge', 'none',
      '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--ip-forward=false', '--userland-proxy=false',
    ], path.join(tmp, 'dockerd.log'));
    const d = real;
    await waitUntil(() => fs.existsSync(sock) && realDocker(['version']).status === 0, 30_000, `dockerd to serve ${sock}`).catch((err: Error) => {
      throw new Error(`${err.message}\n${d.log().slice(-3000)}`);
    });
  });

  afterAll(async () => {
    await berthd?.stop();
    if (real) {
      let containerdPid = 0;
      try {
        containerdPid = Number(fs.readFileSync(path.join(execRoot, 'containerd', 'containerd.pid'), 'utf8'));
      } catch {
        // dockerd did not get as far as starting it
      }
      await real.stop();
      if (containerdPid > 0) {
        await waitUntil(() => !fs.existsSync(`/proc/${containerdPid}`), 10_000, 'dockerd\'s containerd to exit').catch(() => {
          process.kill(containerdPid, 'SIGKILL');
        });
      }
    }
    if (tmp) {
      unmountUnder(tmp);
      expect(mountsUnder(tmp)).toEqual([]);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    forgetHostDirs?.();
  });

  const keysOf = (out: string): string[] => Object.keys(JSON.parse(out) as object).sort();

  it('docker version --format {{json .Server}} has the same keys', () => {
    const ours = berthd.docker(['version', '--format', '{{json .Server}}']);
    const theirs = realDocker(['version', '--format', '{{json .Server}}']);
    expect(ours.status, ours.stderr).toBe(0);
    expect(theirs.status, theirs.stderr).toBe(0);
    expect(keysOf(ours.stdout)).toEqual(keysOf(theirs.stdout));
    const names = (out: string) => (JSON.parse(out) as { Components: { Name: string }[] }).Components.map((c) => c.Name);
    expect(names(ours.stdout).slice(0, 3)).toEqual(names(theirs.stdout).slice(0, 3));
  });

  it('docker info --format {{json .}} has every key the real one has', () => {
    const ours = keysOf(berthd.docker(['info', '--format', '{{json .}}']).stdout);
    const theirs = keysOf(realDocker(['info', '--format', '{{json .}}']).stdout);
    // dockerd 20.10 speaks API 1.41; KernelMemory and KernelMemoryTCP left /info in 1.42
    const removedAfter141 = ['KernelMemory', 'KernelMemoryTCP'];
    expect(theirs.filter((k) => !ours.includes(k) && !removedAfter141.includes(k))).toEqual([]);
  });

  it('docker swarm leave fails alike', () => {
    const ours = berthd.docker(['swarm', 'leave']);
    const theirs = realDocker(['swarm', 'leave']);
    expect(ours.status).toBe(theirs.status);
    expect(ours.stderr).toBe(theirs.stderr);
  });
});
