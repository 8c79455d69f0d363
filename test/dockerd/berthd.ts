/**
 * berthd for the tests: bin/berth-containerd and bin/berthd on private sockets
 * and roots under one temp dir, the docker CLI 28 pointed at berthd, raw HTTP
 * over the unix socket, and cleanup by pid.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startBerthContainerd, tempDir, type Running } from '../containerd/daemons.js';
import { runCmd, startDaemon, waitUntil, type CmdResult, type Daemon } from '../helpers/daemon.js';
import { bin } from '../helpers/paths.js';

export const dockerCli = fs.existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker';

export interface Berthd {
  dir: string;
  socket: string;
  env: NodeJS.ProcessEnv;
  containerd: Running;
  daemon: Daemon;
  docker(args: string[], timeoutMs?: number): CmdResult;
  stop(): Promise<void>;
}

export async function startBerthd(): Promise<Berthd> {
  const dir = tempDir('bd');
  const ctrdDir = path.join(dir, 'ctrd');
  fs.mkdirSync(ctrdDir);
  const containerd = await startBerthContainerd(ctrdDir);
  const socket = path.join(dir, 'd.sock');
  // berthd finds berth-runc on PATH (for /version and /info), as dockerd finds runc
  const daemonEnv = { ...process.env, PATH: `${path.dirname(bin('berthd'))}:${process.env.PATH ?? ''}` };
  const daemon = startDaemon(
    bin('berthd'),
    ['-H', `unix://${socket}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'),
      '--pidfile', path.join(dir, 'berthd.pid'), '--containerd', containerd.address, '--log-level', 'debug'],
    path.join(dir, 'berthd.log'),
    daemonEnv,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(dir, 'cli') };
  delete env.DOCKER_CONTEXT;
  const docker = (args: string[], timeoutMs = 20_000) => runCmd(dockerCli, args, { env, timeoutMs });
  const stop = async () => {
    await daemon.stop();
    await containerd.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(() => fs.existsSync(socket) && docker(['version']).status === 0, 20_000, `berthd to serve ${socket}`);
  } catch (err) {
    const log = daemon.log();
    await stop();
    throw new Error(`${(err as Error).message}\n${log.slice(-3000)}`);
  }
  return { dir, socket, env, containerd, daemon, docker, stop };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
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
