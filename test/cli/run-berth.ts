/**
 * Runs bin/berth without blocking the test's event loop (the tcp:// tests
 * serve the peer HTTP server from this same process), and a tiny Engine API
 * peer on 127.0.0.1 that records the paths it was asked for.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CmdResult } from '../helpers/daemon.js';
import { bin } from '../helpers/paths.js';

export const berthBin = bin('berth');

/** The environment with no daemon address of its own, plus `extra`. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DOCKER_HOST', 'BERTH_HOST', 'DOCKER_API_VERSION', 'BERTH_API_VERSION', 'DOCKER_CONTEXT']) delete env[k];
  return { ...env, ...extra };
}

export function berth(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(berthBin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export interface Peer {
  url: string;
  paths: string[];
  close(): Promise<void>;
}

/** Answers /_ping with `apiVersion` and /v*\/version with `version`; anything else 404 as moby does. */
export async function startPeer(apiVersion: string, version: Record<string, unknown>): Promise<Peer> {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    paths.push(url);
    res.setHeader('Api-Version', apiVersion);
    if (url === '/_ping') {
      res.end('OK');
    } else if (/^\/v[\d.]+\/version$/.test(url)) {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(version));
    } else {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ message: 'page not found' }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `tcp://127.0.0.1:${port}`,
    paths,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
