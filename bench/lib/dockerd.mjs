// What the benchmarks of berthd against the real dockerd share: the child
// processes they start (logs in the run's temp dir, stopped by pid), a docker
// CLI client per daemon socket, berthd on berth-containerd and dockerd 20.10
// on its own containerd started side by side on private roots (the network
// flags are the caller's), and the removal of everything they left. The
// process launcher and the small helpers serve the containerd bench as well.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const dockerCli = fs.existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker';
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const log = (...a) => console.error('#', ...a);

export function timed(f) {
  const t0 = process.hrtime.bigint();
  const r = f();
  return { r, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

export function must(label, what, r) {
  if (r.status !== 0) throw new Error(`${label}: ${what}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export function removeContainers(d) {
  const ids = d.docker('ps', '-aq').stdout.split('\n').filter(Boolean);
  if (ids.length > 0) d.docker('rm', '-f', ...ids);
}

/**
 * Starts the child processes of one run, each logging to `<tmp>/<name>.log`,
 * and keeps them in `children` so the run can stop them (by pid, SIGTERM, then
 * SIGKILL after `stopMs`) in the reverse order of their start.
 */
export function processLauncher(tmp, { stopMs = 20_000 } = {}) {
  const children = [];
  function launch(name, cmd, argv, env = process.env) {
    const fd = fs.openSync(path.join(tmp, `${name}.log`), 'a');
    const child = spawn(cmd, argv, { stdio: ['ignore', fd, fd], env });
    fs.closeSync(fd);
    const exited = new Promise((r) => child.once('exit', r));
    const entry = {
      name,
      pid: child.pid,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        if ((await Promise.race([exited.then(() => 'ok'), sleep(stopMs).then(() => 'timeout')])) === 'timeout') child.kill('SIGKILL');
        await exited;
      },
    };
    children.push(entry);
    return entry;
  }
  return { children, launch };
}

/** The processes and clients of one run, everything under `tmp`. */
export function benchContext(tmp) {
  const { children, launch } = processLauncher(tmp);

  /** A client (docker or berth) with DOCKER_HOST at `socket`; throws on a spawn error. */
  function clientOn(cmd, socket) {
    const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(tmp, 'cli') };
    delete env.DOCKER_CONTEXT;
    return (...a) => {
      const r = spawnSync(cmd, a, { env, encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL', maxBuffer: 1 << 26 });
      if (r.error) throw r.error;
      return r;
    };
  }

  async function waitServing(d, docker, what) {
    for (let i = 0; i < 600; i++) {
      if (docker('version').status === 0) return;
      await sleep(50);
    }
    throw new Error(`${what} did not serve: ${fs.readFileSync(path.join(tmp, `${d.name}.log`), 'utf8').slice(-3000)}`);
  }

  return { tmp, children, launch, clientOn, waitServing };
}

/** berth-containerd + berthd (finding berth-runc on PATH, as dockerd finds runc) with `flags` (the network ones) added. */
export async function startBerth(ctx, { root, tag, env: extraEnv = {}, flags }) {
  const dir = path.join(ctx.tmp, 'berth');
  fs.mkdirSync(dir);
  const address = path.join(dir, 'c.sock');
  const ctrd = ctx.launch('berth-containerd', path.join(root, 'bin/berth-containerd'), ['--root', `${dir}/root`, '--state', `${dir}/state`, '--address', address], { ...process.env, ...extraEnv });
  for (let i = 0; i < 300 && !fs.existsSync(address); i++) await sleep(50);
  const socket = path.join(dir, 'd.sock');
  const cgroupParent = `/berth-bench-${tag}`;
  const env = { ...process.env, ...extraEnv, PATH: `${path.join(root, 'bin')}:${process.env.PATH}` };
  const d = ctx.launch('berthd', path.join(root, 'bin/berthd'), ['-H', `unix://${socket}`, '--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`,
    '--pidfile', `${dir}/berthd.pid`, '--containerd', address, '--cgroup-parent', cgroupParent, ...flags], env);
  const docker = ctx.clientOn(dockerCli, socket);
  await ctx.waitServing(d, docker, 'berthd');
  return { label: 'berthd', d, containerdPid: () => ctrd.pid, docker, socket, cgroupParent };
}

/** The real dockerd (and the containerd it starts) with `flags` (the network ones) added. */
export async function startRealDockerd(ctx, { tag, flags }) {
  const dir = path.join(ctx.tmp, 'real');
  fs.mkdirSync(dir);
  const socket = path.join(dir, 'docker.sock');
  fs.writeFileSync(path.join(dir, 'daemon.json'), JSON.stringify({ 'deprecated-key-path': path.join(dir, 'key.json') }));
  const cgroupParent = `/dockerd-bench-${tag}`;
  const d = ctx.launch('dockerd', 'dockerd', ['-H', `unix://${socket}`, '--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`,
    '--pidfile', `${dir}/docker.pid`, '--config-file', `${dir}/daemon.json`, '--cgroup-parent', cgroupParent, ...flags]);
  const docker = ctx.clientOn(dockerCli, socket);
  await ctx.waitServing(d, docker, 'dockerd');
  const version = docker('version', '--format', '{{.Server.Version}}').stdout.trim();
  const containerdPid = () => Number(fs.readFileSync(path.join(dir, 'exec/containerd/containerd.pid'), 'utf8'));
  return { label: `dockerd ${version.split('+')[0]}`, d, containerdPid, docker, socket, cgroupParent };
}

/** Containers removed, daemons stopped (last started first), their cgroup parents, mounts and the temp dir removed. */
export async function cleanupRun(ctx, daemons) {
  for (const d of daemons) {
    try {
      removeContainers(d);
    } catch (err) {
      log(`cleanup ${d.label}: ${err.message}`);
    }
  }
  for (const c of ctx.children.reverse()) await c.stop();
  // the cgroup parents the daemons made (empty once their containers are gone)
  for (const d of daemons) {
    for (const h of fs.readdirSync('/sys/fs/cgroup')) {
      try {
        fs.rmdirSync(path.join('/sys/fs/cgroup', h, d.cgroupParent));
      } catch {
        // not made in this hierarchy
      }
    }
  }
  try {
    execFileSync('sh', ['-c', `grep -o ' ${ctx.tmp}[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`]);
  } catch {
    // nothing mounted
  }
  fs.rmSync(ctx.tmp, { recursive: true, force: true });
}
