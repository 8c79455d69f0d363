/**
 * Daemons for the containerd tests: berth-containerd (bin/berth-containerd)
 * and, for differential tests, the real containerd 1.6, each with its own temp
 * root, state and socket, output in a log file, stopped by pid (SIGTERM, then
 * SIGKILL). Plus `ctr` against a socket.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin } from '../helpers/paths.js';

export interface Running {
  dir: string;
  address: string;
  pid: number;
  exited: Promise<number>;
  log(): string;
  stop(): Promise<number>;
}

export interface CtrResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function ctr(address: string, args: string[], timeoutMs = 20_000): CtrResult {
  const r = spawnSync('ctr', ['--address', address, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function haveProgram(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && fs.existsSync(path.join(d, name)));
}

export function tempDir(tag: string): string {
  // Short: the socket path must fit in sun_path (108 bytes).
  return fs.mkdtempSync(path.join(os.tmpdir(), `berth-${tag}-`));
}

function launch(cmd: string, args: string[], dir: string, address: string): Running {
  const logFile = path.join(dir, 'daemon.log');
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`${cmd} did not start`);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      resolve(code ?? (signal === 'SIGKILL' ? 137 : 143));
    }),
  );
  return {
    dir,
    address,
    pid,
    exited,
    log: () => fs.readFileSync(logFile, 'utf8'),
    async stop() {
      if (!done) {
        process.kill(pid, 'SIGTERM');
        const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
        if ((await Promise.race([exited, timeout])) === 'timeout') process.kill(pid, 'SIGKILL');
      }
      return exited;
    },
  };
}

async function waitServing(d: Running, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  let exited = false;
  void d.exited.then(() => (exited = true));
  while (!(fs.existsSync(d.address) && ctr(d.address, ['version']).status === 0)) {
    if (exited || Date.now() > end) {
      await d.stop();
      throw new Error(`${what} did not serve ${d.address}:\n${d.log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * bin/berth-containerd on <dir>/c.sock with <dir>/root and <dir>/state (`dir` may
 * be reused to restart), or with exactly `args` when given (then `address` says
 * where it will listen); `command` replaces bin/berth-containerd (another build).
 */
export async function startBerthContainerd(
  dir = tempDir('ctrd'),
  custom?: { args: string[]; address: string },
  command = bin('berth-containerd'),
): Promise<Running> {
  const address = custom?.address ?? path.join(dir, 'c.sock');
  const args = custom?.args ?? ['--root', path.join(dir, 'root'), '--state', path.join(dir, 'state'), '--address', address];
  const d = launch(command, args, dir, address);
  await waitServing(d, 'berth-containerd');
  return d;
}

/** The real containerd, with no CRI and nothing written outside `dir`. */
export async function startRealContainerd(dir = tempDir('realctrd')): Promise<Running> {
  const address = path.join(dir, 'c.sock');
  const config = path.join(dir, 'config.toml');
  fs.writeFileSync(
    config,
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${address}"`,
      // the opt plugin would create /opt/containerd on the host
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${dir}/opt"`,
      '',
    ].join('\n'),
  );
  const d = launch('containerd', ['--config', config], dir, address);
  await waitServing(d, 'containerd');
  return d;
}
