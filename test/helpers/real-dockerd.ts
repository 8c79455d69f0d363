/**
 * A private real dockerd 20.10 (Debian's) for tests that judge berth by the
 * real thing: its socket, data root, exec root, pid file and config in one temp
 * dir; no bridge, no iptables, no ip forwarding, so the host network is left
 * alone (containers must use `--network none` or `--network host`). Stopping
 * removes the containers it still has, stops dockerd, makes sure the containerd
 * it started is gone (by its pid file), and unmounts what it left below the dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tempRoot } from './bundle.js';
import { buildDockerImage } from './docker-image.js';
import { mountsUnder, runCmd, startDaemon, trackHostDirs, unmountUnder, waitUntil, type CmdResult, type Daemon } from './daemon.js';
import { busyboxRootfs } from './paths.js';

/** The docker CLI 28 when installed (it negotiates API 1.41 with dockerd 20.10), else Debian's. */
export const dockerCli = fs.existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker';

export interface RealDockerd {
  dir: string;
  socket: string;
  execRoot: string;
  /** For clients: DOCKER_HOST at this daemon, a private DOCKER_CONFIG, no context. */
  env: NodeJS.ProcessEnv;
  daemon: Daemon;
  docker(args: string[], timeoutMs?: number): CmdResult;
  stop(): Promise<void>;
}

export interface RealDockerdOptions {
  /** --add-runtime name=path for each entry. */
  runtimes?: Record<string, string>;
  /** More dockerd flags (e.g. --cgroup-parent). */
  extraArgs?: string[];
}

export async function startRealDockerd(opts: RealDockerdOptions = {}): Promise<RealDockerd> {
  const dir = tempRoot('dockerd');
  const execRoot = path.join(dir, 'exec');
  const socket = path.join(dir, 'docker.sock');
  const config = path.join(dir, 'daemon.json');
  // dockerd keeps its identity key next to /etc/docker/daemon.json unless told otherwise
  fs.writeFileSync(config, JSON.stringify({ 'deprecated-key-path': path.join(dir, 'key.json') }));
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(dir, 'cli') };
  for (const k of ['DOCKER_CONTEXT', 'BERTH_HOST', 'DOCKER_API_VERSION', 'BERTH_API_VERSION']) delete env[k];
  // fixed paths no flag moves: the plugin socket dir and containerd's opt plugin dir
  const forgetHostDirs = trackHostDirs(['/run/docker', '/run/docker/plugins', '/opt/containerd', '/opt/containerd/bin', '/opt/containerd/lib']);
  const runtimes = Object.entries(opts.runtimes ?? {}).flatMap(([name, p]) => ['--add-runtime', `${name}=${p}`]);
  const daemon = startDaemon(
    'dockerd',
    [
      '-H', `unix://${socket}`,
      '--data-root', path.join(dir, 'data'),
      '--exec-root', execRoot,
      '--pidfile', path.join(dir, 'docker.pid'),
      '--config-file', config,
      '--bridge', 'none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      '--ip-forward=false',
      '--userland-proxy=false',
      ...runtimes,
      ...(opts.extraArgs ?? []),
    ],
    path.join(dir, 'dockerd.log'),
  );
  const docker = (args: string[], timeoutMs = 30_000): CmdResult => runCmd(dockerCli, args, { env, timeoutMs });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (fs.existsSync(socket)) {
      const ids = docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
      if (ids.length) docker(['rm', '-f', ...ids], 60_000);
    }
    let containerdPid = 0;
    try {
      containerdPid = Number(fs.readFileSync(path.join(execRoot, 'containerd', 'containerd.pid'), 'utf8'));
    } catch {
      // dockerd did not get as far as starting it
    }
    await daemon.stop();
    // dockerd stops the containerd it started before it exits; make sure
    if (containerdPid > 0) {
      await waitUntil(() => !fs.existsSync(`/proc/${containerdPid}`), 10_000, "dockerd's containerd to exit").catch(() => {
        process.kill(containerdPid, 'SIGKILL');
      });
    }
    // dockerd leaves its default network namespace mounted under the exec root
    unmountUnder(dir);
    const left = mountsUnder(dir);
    if (left.length === 0) fs.rmSync(dir, { recursive: true, force: true });
    forgetHostDirs();
    if (left.length) throw new Error(`still mounted below ${dir}: ${left.join(' ')}`);
  };

  try {
    await waitUntil(() => fs.existsSync(socket) && docker(['version']).status === 0, 30_000, `dockerd to serve ${socket}`);
  } catch (err) {
    const log = daemon.log();
    await stop();
    throw new Error(`${(err as Error).message}\n${log.slice(-3000)}`);
  }
  return { dir, socket, execRoot, env, daemon, docker, stop };
}

/**
 * Loads the busybox rootfs as `tag` (docker save format, `docker load`) into
 * the daemon `docker` talks to; Cmd is `sh`, as busybox's image.
 */
export function loadBusybox(d: { dir: string; docker(args: string[], timeoutMs?: number): CmdResult }, tag: string): void {
  const built = buildDockerImage({ rootfs: busyboxRootfs, tag, out: path.join(d.dir, `busybox-${process.pid}.tar`), cmd: ['sh'] });
  const load = d.docker(['load', '-i', built.file], 120_000);
  if (load.status !== 0 || !load.stdout.includes(`Loaded image: ${tag}`)) throw new Error(`docker load: ${load.stderr}${load.stdout}`);
  fs.rmSync(built.file, { force: true });
}
