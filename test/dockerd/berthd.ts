/**
 * berthd for the tests: bin/berth-containerd and bin/berthd on private sockets
 * and roots under one temp dir, the docker CLI 28 pointed at berthd, raw HTTP
 * over the unix socket, and cleanup by pid.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startBerthContainerd, tempDir, type Running } from '../containerd/daemons.js';
import { randomBytes } from 'node:crypto';
import { removeCgroupTree, runCmd, startDaemon, waitUntil, type CmdResult, type Daemon } from '../helpers/daemon.js';
import { bin } from '../helpers/paths.js';

export const dockerCli = fs.existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker';

export interface Berthd {
  dir: string;
  socket: string;
  env: NodeJS.ProcessEnv;
  containerd: Running;
  daemon: Daemon;
  /** Every container's cgroup is below this (a unique --cgroup-parent, removed by stop()). */
  cgroupParent: string;
  /** Starts berthd again on the same roots and sockets (after a kill -9, say). */
  restart(): Promise<void>;
  /** Starts berth-containerd again on the same root, state and socket. */
  restartContainerd(): Promise<void>;
  docker(args: string[], timeoutMs?: number): CmdResult;
  stop(): Promise<void>;
}

export interface BerthdOptions {
  /** A bridge network of the test's own (a unique name of at most 15 characters, a subnet not routed here); default: --bridge none. */
  bridge?: { name: string; bip: string };
  /** More berthd flags. */
  extraArgs?: string[];
  /** More environment variables for berthd (BERTH_CERTS_D, say). */
  env?: NodeJS.ProcessEnv;
}

export async function startBerthd(opts: BerthdOptions = {}): Promise<Berthd> {
  const dir = tempDir('bd');
  const ctrdDir = path.join(dir, 'ctrd');
  fs.mkdirSync(ctrdDir);
  const ctrd = { running: await startBerthContainerd(ctrdDir) };
  const containerd = ctrd.running;
  const socket = path.join(dir, 'd.sock');
  // berthd finds berth-runc on PATH (for /version and /info), as dockerd finds runc
  const daemonEnv = { ...process.env, ...opts.env, PATH: `${path.dirname(bin('berthd'))}:${process.env.PATH ?? ''}` };
  const cgroupParent = `/berth-test-${randomBytes(4).toString('hex')}`;
  const launch = () => startDaemon(
    bin('berthd'),
    ['-H', `unix://${socket}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'),
      '--pidfile', path.join(dir, 'berthd.pid'), '--containerd', containerd.address, '--log-level', 'debug',
      '--cgroup-parent', cgroupParent,
      // no test touches host networking unless it asks for a bridge of its own
      ...(opts.bridge ? ['--bridge', opts.bridge.name, '--bip', opts.bridge.bip] : ['--bridge', 'none']), ...(opts.extraArgs ?? [])],
    path.join(dir, 'berthd.log'),
    daemonEnv,
  );
  const handle = { daemon: launch() };
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(dir, 'cli') };
  delete env.DOCKER_CONTEXT;
  const docker = (args: string[], timeoutMs = 20_000) => runCmd(dockerCli, args, { env, timeoutMs });
  const stop = async () => {
    // containers outlive the daemons (their shims are on their own): remove them first
    const ids = docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) docker(['rm', '-f', ...ids], 60_000);
    await handle.daemon.stop();
    await ctrd.running.stop();
    removeCgroupTree(cgroupParent);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const ready = async () => {
    try {
      await waitUntil(() => fs.existsSync(socket) && docker(['version']).status === 0, 20_000, `berthd to serve ${socket}`);
    } catch (err) {
      const log = handle.daemon.log();
      await stop();
      throw new Error(`${(err as Error).message}\n${log.slice(-3000)}`);
    }
  };
  await ready();
  const restart = async () => {
    handle.daemon = launch();
    await ready();
  };
  const restartContainerd = async () => {
    ctrd.running = await startBerthContainerd(ctrdDir);
  };
  return {
    dir, socket, env, get containerd() { return ctrd.running; }, get daemon() { return handle.daemon; }, cgroupParent,
    restart, restartContainerd, docker, stop,
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with a tar body (what no docker CLI would send: raw API tests); the status and the body as text. */
export function sendTar(socket: string, method: string, urlPath: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: urlPath, headers: { Host: 'docker', 'Content-Type': 'application/x-tar', 'Content-Length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function request(socket: string, method: string, urlPath: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: urlPath, headers: { Host: 'docker' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
