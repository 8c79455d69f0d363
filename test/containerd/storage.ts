/**
 * Helpers for the content, images, leases and pull tests: `ctr` with data on
 * stdin, an OCI image tarball of the busybox rootfs, a real registry (Debian's
 * docker-registry) on 127.0.0.1 with an image pushed by skopeo, and output
 * normalisation for comparing berth-containerd with the real containerd.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { buildOciImage, type BuiltImage } from '../helpers/oci-image.js';
import { busyboxRootfs } from '../helpers/paths.js';
import type { CtrResult } from './daemons.js';

export const haveRootfs = fs.existsSync(path.join(busyboxRootfs, 'bin'));

/**
 * `ctr` with `input` on stdin: a pipe, or a regular file when it must be
 * seekable (ctr resumes an ingest by seeking its input to the offset the
 * store reports).
 */
export function ctrIn(address: string, args: string[], input: string | Buffer, opts: { seekable?: boolean } = {}): CtrResult {
  let fd: number | undefined;
  if (opts.seekable === true) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ctrin-')), 'input');
    fs.writeFileSync(file, input);
    fd = fs.openSync(file, 'r');
    fs.rmSync(path.dirname(file), { recursive: true });
  }
  try {
    const r = spawnSync('ctr', ['--address', address, ...args], {
      ...(fd === undefined ? { input } : {}),
      encoding: 'utf8',
      stdio: [fd ?? 'pipe', 'pipe', 'pipe'],
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** An OCI layout tarball of the busybox rootfs, named `name` (docker.io/library/busybox:latest form). */
export function busyboxTar(dir: string, name = 'docker.io/library/busybox:latest'): BuiltImage {
  return buildOciImage({ rootfs: busyboxRootfs, name, out: path.join(dir, 'busybox.tar'), cmd: ['sh'] });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Registry {
  /** 127.0.0.1:<port> */
  host: string;
  daemon: Daemon;
  stop(): Promise<number>;
}

/** A server certificate and key (PEM files) for docker-registry's http.tls, and the CA that signed it. */
export interface RegistryTls {
  certificate: string;
  key: string;
  /** The CA's PEM, to check the registry is up. */
  ca: string;
  /** Require a client certificate signed by this CA (a PEM file: http.tls.clientcas)... */
  clientCa?: string;
  /** ...and present this one (PEMs) when checking the registry is up. */
  client?: { cert: string; key: string };
}

/** docker-registry on 127.0.0.1:<free port> (or another address of the test's own), storage under `dir`; HTTPS with `tls`. */
export async function startRegistry(dir: string, bindIp = '127.0.0.1', tls?: RegistryTls): Promise<Registry> {
  const port = await freePort();
  const host = `${bindIp}:${port}`;
  const config = path.join(dir, 'registry.yml');
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'registry')}`,
      'http:',
      `  addr: ${host}`,
      ...(tls ? ['  tls:', `    certificate: ${tls.certificate}`, `    key: ${tls.key}`] : []),
      ...(tls?.clientCa ? ['    clientcas:', `      - ${tls.clientCa}`] : []),
      '',
    ].join('\n'),
  );
  const daemon = startDaemon('docker-registry', ['serve', config], path.join(dir, 'registry.log'));
  for (const end = Date.now() + 15_000; ; ) {
    const ok = await (tls ? httpsOk(`https://${host}/v2/`, tls) : fetch(`http://${host}/v2/`).then((r) => r.ok, () => false));
    if (ok) break;
    if (Date.now() > end) {
      await daemon.stop();
      throw new Error(`docker-registry did not serve ${host}:\n${daemon.log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, daemon, stop: () => daemon.stop() };
}

function httpsOk(url: string, tls: RegistryTls): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(url, { ca: tls.ca, ...tls.client }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

/** Pushes an OCI archive into the registry with skopeo (plain HTTP). */
export function pushOciArchive(tar: string, ref: string): void {
  const r = spawnSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${tar}`, `docker://${ref}`], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`skopeo copy failed: ${r.stderr}`);
}

/**
 * Output of ctr made comparable between daemons and runs: ages and times
 * replaced, runs of blanks collapsed (tabwriter pads to the widest cell), and
 * label lists sorted (ctr prints Go maps, in random order).
 */
export function normalise(out: string): string {
  return out
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<time>')
    .replace(/Less than a second|About a minute|\d+ (seconds?|minutes?)/g, '<age>')
    .split('\n')
    .map((line) =>
      line
        .split(/[ \t]+/)
        .map((cell) => (cell.includes('=') && !cell.includes('==') ? cell.split(',').sort().join(',') : cell))
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
}
