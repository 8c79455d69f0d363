/**
 * berthd's tcp:// listeners with TLS, judged by the real docker CLI 28 and the
 * berth CLI: a CA, a server certificate for 127.0.0.1 and client certificates
 * made with openssl in the test's temp dir; clients without a certificate, with
 * one from another CA, or speaking plain HTTP are turned away. Also dockerd's
 * rule for tcp without TLS (refused off loopback before anything is bound,
 * allowed on loopback with a warning) and systemd socket activation (-H fd://)
 * through systemd-socket-activate. Everything listens on loopback only.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerthContainerd, tempDir, type Running } from '../containerd/daemons.js';
import { haveBinaries, runCmd, startDaemon, waitUntil, type CmdResult } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { berth, cleanEnv } from '../cli/run-berth.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';

const isRoot = process.getuid?.() === 0;

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA (<name>-ca.pem), and certificates signed by it: <leaf>-cert.pem / <leaf>-key.pem. */
function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name} test CA`,
    '-keyout', `${name}-ca-key.pem`, '-out', `${name}-ca.pem`]);
}

function makeLeaf(dir: string, ca: string, leaf: string, ext: string): void {
  fs.writeFileSync(path.join(dir, `${leaf}.ext`), `${ext}\n`);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${leaf}`, '-keyout', `${leaf}-key.pem`, '-out', `${leaf}.csr`]);
  openssl(dir, ['x509', '-req', '-in', `${leaf}.csr`, '-CA', `${ca}-ca.pem`, '-CAkey', `${ca}-ca-key.pem`, '-CAcreateserial',
    '-days', '2', '-extfile', `${leaf}.ext`, '-out', `${leaf}-cert.pem`]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The docker CLI with no address, context or ~/.docker of the machine's. */
function dockerAt(dir: string, args: string[], extra: NodeJS.ProcessEnv = {}, input?: string): CmdResult {
  return runCmd(dockerCli, args, { env: clientEnv(dir, extra), timeoutMs: 30_000, input });
}

function berthAt(dir: string, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CmdResult> {
  return berth(args, clientEnv(dir, extra));
}

function clientEnv(dir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = cleanEnv({ DOCKER_CONFIG: path.join(dir, 'docker-config'), HOME: dir });
  delete env.DOCKER_TLS_VERIFY;
  delete env.DOCKER_CERT_PATH;
  return { ...env, ...extra };
}

describe.skipIf(!isRoot || !haveBinaries('openssl') || !fs.existsSync(dockerCli))('berthd with -H tcp:// and --tlsverify', () => {
  let d: Berthd;
  let certs: string;
  let host: string;
  let port: number;
  const pem = (name: string) => path.join(certs, name);

  beforeAll(async () => {
    certs = tempDir('tls');
    makeCa(certs, 'good');
    makeCa(certs, 'other');
    makeLeaf(certs, 'good', 'server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
    makeLeaf(certs, 'good', 'client', 'extendedKeyUsage=clientAuth');
    makeLeaf(certs, 'other', 'stranger', 'extendedKeyUsage=clientAuth');
    // docker's DOCKER_CERT_PATH layout
    fs.mkdirSync(pem('certpath'));
    fs.copyFileSync(pem('good-ca.pem'), pem('certpath/ca.pem'));
    fs.copyFileSync(pem('client-cert.pem'), pem('certpath/cert.pem'));
    fs.copyFileSync(pem('client-key.pem'), pem('certpath/key.pem'));
    port = await freePort();
    host = `tcp://127.0.0.1:${port}`;
    d = await startBerthd({
      extraArgs: ['-H', host, '--tlsverify', '--tlscacert', pem('good-ca.pem'), '--tlscert', pem('server-cert.pem'), '--tlskey', pem('server-key.pem')],
    });
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
    if (certs) fs.rmSync(certs, { recursive: true, force: true });
  }, 120_000);

  const clientFlags = () => ['--tlsverify', '--tlscacert', pem('good-ca.pem'), '--tlscert', pem('client-cert.pem'), '--tlskey', pem('client-key.pem')];

  it('serves the docker CLI that presents a certificate of the CA', () => {
    const r = dockerAt(certs, [...clientFlags(), '-H', host, 'version', '--format', '{{.Server.Os}} {{.Server.APIVersion}}']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^linux 1\.\d+\n$/);
    const env = dockerAt(certs, ['ps', '-a', '--format', '{{.ID}}'], { DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: pem('certpath') });
    expect(env.status, env.stderr).toBe(0);
    expect(env.stdout).toBe('');
  });

  it('turns away a docker CLI without a client certificate, or with one from another CA', () => {
    const bare = dockerAt(certs, ['--tlsverify', '--tlscacert', pem('good-ca.pem'), '-H', host, 'version', '--format', '{{.Server.Os}}']);
    expect(bare.status).toBe(1);
    expect(bare.stderr).toMatch(/^error during connect: Get "https:\/\/127\.0\.0\.1:\d+\/v[\d.]+\/version": remote error: tls: certificate required\n$/);
    const stranger = dockerAt(certs, ['--tlsverify', '--tlscacert', pem('good-ca.pem'), '--tlscert', pem('stranger-cert.pem'), '--tlskey', pem('stranger-key.pem'),
      '-H', host, 'version', '--format', '{{.Server.Os}}']);
    expect(stranger.status).toBe(1);
    // Go's client sends no certificate the server's CA list does not name: the handshake wants one
    expect(stranger.stderr).toMatch(/remote error: tls: (certificate required|unknown certificate authority|bad certificate)/);
  });

  it.skipIf(!fs.existsSync(busyboxRootfs))('carries attach and exec (hijacked connections) over TLS', () => {
    loadBusyboxImage(d);
    const run = dockerAt(certs, [...clientFlags(), '-H', host, 'run', '--rm', '-i', 'busybox', 'sh', '-c', 'read l; echo "got $l"; echo err >&2; exit 3'], {}, 'line\n');
    expect([run.status, run.stdout, run.stderr]).toEqual([3, 'got line\n', 'err\n']);
    const id = dockerAt(certs, [...clientFlags(), '-H', host, 'run', '-d', 'busybox', 'sleep', '60']).stdout.trim();
    try {
      const exec = dockerAt(certs, [...clientFlags(), '-H', host, 'exec', id, 'echo', 'from exec']);
      expect([exec.status, exec.stdout], exec.stderr).toEqual([0, 'from exec\n']);
    } finally {
      d.docker(['rm', '-f', id]);
    }
  }, 120_000);

  it('answers plain HTTP as Go\'s TLS server does', async () => {
    const r = dockerAt(certs, ['-H', host, 'version', '--format', '{{.Server.Os}}']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Client sent an HTTP request to an HTTPS server.');
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/_ping', agent: false }, (m) => {
        let body = '';
        m.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: m.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    expect(res).toEqual({ status: 400, body: 'Client sent an HTTP request to an HTTPS server.\n' });
  });

  it('keeps the unix socket as it was: 0660, no TLS', () => {
    expect(fs.statSync(d.socket).mode & 0o777).toBe(0o660);
    expect(d.docker(['version', '--format', '{{.Server.Os}}']).stdout).toBe('linux\n');
  });

  it('serves berth with --tlsverify flags and with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH', async () => {
    const flags = await berthAt(certs, [...clientFlags(), '-H', host, 'version', '--format', '{{.Server.Os}}']);
    expect(flags.status, flags.stderr).toBe(0);
    expect(flags.stdout).toBe('linux\n');
    const env = await berthAt(certs, ['-H', host, 'version', '--format', '{{.Server.Os}}'], { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: pem('certpath') });
    expect(env.status, env.stderr).toBe(0);
    expect(env.stdout).toBe('linux\n');
    const ps = await berthAt(certs, ['ps', '-a', '--format', '{{.ID}}'], { DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: pem('certpath') });
    expect(ps.status, ps.stderr).toBe(0);
  });

  it.skipIf(!fs.existsSync(busyboxRootfs))('carries berth\'s streams over TLS: run (attach, wait), logs, save', async () => {
    loadBusyboxImage(d);
    const run = await berthAt(certs, [...clientFlags(), '-H', host, 'run', '--name', 'tlsrun', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 4']);
    expect([run.status, run.stdout, run.stderr]).toEqual([4, 'out\n', 'err\n']);
    const logs = await berthAt(certs, [...clientFlags(), '-H', host, 'logs', 'tlsrun']);
    expect([logs.status, logs.stdout, logs.stderr]).toEqual([0, 'out\n', 'err\n']);
    expect((await berthAt(certs, [...clientFlags(), '-H', host, 'rm', 'tlsrun'])).status).toBe(0);
    // a long answer streamed by commands/progress-request.ts
    const tar = path.join(certs, 'saved.tar');
    const save = await berthAt(certs, [...clientFlags(), '-H', host, 'save', '-o', tar, 'busybox']);
    expect(save.status, save.stderr).toBe(0);
    expect(runCmd('tar', ['-tf', tar]).stdout.split('\n')).toContain('manifest.json');
  }, 60_000);

  it('fails berth as docker fails: no client certificate, another CA, missing files', async () => {
    const bare = await berthAt(certs, ['--tlsverify', '--tlscacert', pem('good-ca.pem'), '-H', host, 'version', '--format', '{{.Server.Os}}']);
    expect(bare.status).toBe(1);
    expect(bare.stderr).toMatch(/^error during connect: Get "https:\/\/127\.0\.0\.1:\d+\/_ping": remote error: tls: certificate required\n$/);
    const stranger = await berthAt(certs, ['--tlsverify', '--tlscacert', pem('good-ca.pem'), '--tlscert', pem('stranger-cert.pem'), '--tlskey', pem('stranger-key.pem'),
      '-H', host, 'version', '--format', '{{.Server.Os}}']);
    expect(stranger.status).toBe(1);
    // node:tls checks the certificate after the handshake and hangs up without an alert
    expect(stranger.stderr).toMatch(/^error during connect: Get "https:\/\/127\.0\.0\.1:\d+\/_ping": (the daemon closed the TLS connection|remote error: tls: )/);
    // and the daemon's certificate is checked against the client's CA
    const wrongCa = await berthAt(certs, ['--tlsverify', '--tlscacert', pem('other-ca.pem'), '--tlscert', pem('client-cert.pem'), '--tlskey', pem('client-key.pem'),
      '-H', host, 'version', '--format', '{{.Server.Os}}']);
    expect(wrongCa.status).toBe(1);
    expect(wrongCa.stderr).toMatch(/^error during connect: Get "https:\/\/127\.0\.0\.1:\d+\/_ping": tls: failed to verify certificate: x509: certificate signed by unknown authority\n$/);
    // docker 28: "Failed to initialize: unable to resolve docker endpoint: open <file>: no such file or directory"
    const missing = pem('nowhere/ca.pem');
    const docker = dockerAt(certs, ['--tlsverify', '--tlscacert', missing, '-H', host, 'version']);
    const ours = await berthAt(certs, ['--tlsverify', '--tlscacert', missing, '-H', host, 'version']);
    expect([ours.status, ours.stdout]).toEqual([docker.status, '']);
    expect(ours.stderr).toBe(docker.stderr.replace('docker endpoint', 'berth endpoint'));
    const noDefault = await berthAt(certs, ['-H', host, 'version'], { DOCKER_TLS_VERIFY: '1' });
    expect(noDefault.stderr).toBe(`Failed to initialize: unable to resolve berth endpoint: open ${path.join(certs, 'docker-config', 'ca.pem')}: no such file or directory\n`);
    const plain = await berthAt(certs, ['-H', host, 'version', '--format', '{{.Server.Os}}']);
    expect(plain.status).toBe(1);
    const dockerPlain = dockerAt(certs, ['-H', host, 'version', '--format', '{{.Server.Os}}']);
    expect(plain.stderr).toBe(dockerPlain.stderr.replace(/docker/g, 'berth'));
  });
});

describe.skipIf(!isRoot || !fs.existsSync(dockerCli))('berthd on tcp:// without TLS, and refusing it', () => {
  it('refuses a non-loopback address without --tlsverify before binding, naming the flag that forces it', () => {
    const dir = tempDir('notls');
    try {
      const r = spawnSync(bin('berthd'), ['-H', 'tcp://0.0.0.0:2375', '--containerd', path.join(dir, 'none.sock'),
        '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'pid'), '--bridge', 'none'],
      { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('Binding to IP address without --tlsverify is insecure');
      expect(r.stderr).toContain('refusing to listen on tcp://0.0.0.0:2375 without --tlsverify');
      expect(r.stderr).toContain('--tls=false');
      // nothing was made: no pidfile, no roots
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves loopback tcp without TLS, with dockerd\'s warning in the log, beside the unix socket', async () => {
    const port = await freePort();
    const d = await startBerthd({ extraArgs: ['-H', `tcp://127.0.0.1:${port}`] });
    try {
      const r = runCmd(dockerCli, ['-H', `tcp://127.0.0.1:${port}`, 'version', '--format', '{{.Server.Os}}'], { env: cleanEnv({ DOCKER_CONFIG: path.join(d.dir, 'cli') }) });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('linux\n');
      const log = d.daemon.log();
      expect(log).toMatch(/"level":"warn".*Binding to IP address without --tlsverify is insecure.*tcp:\/\/127\.0\.0\.1/);
    } finally {
      await d.stop();
    }
  }, 120_000);
});

describe.skipIf(!isRoot || !haveBinaries('systemd-socket-activate') || !fs.existsSync(dockerCli))('berthd -H fd:// (systemd socket activation)', () => {
  let dir: string;
  let ctrd: Running | undefined;

  beforeAll(async () => {
    dir = tempDir('fd');
    ctrd = await startBerthContainerd(path.join(dir));
  }, 60_000);
  afterAll(async () => {
    await ctrd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('serves the socket systemd passes as fd 3', async () => {
    const sock = path.join(dir, 'act.sock');
    const env = { ...process.env, PATH: `${path.dirname(bin('berthd'))}:${process.env.PATH ?? ''}` };
    const daemon = startDaemon('systemd-socket-activate', ['-l', sock, bin('berthd'), '-H', 'fd://', '--containerd', ctrd?.address ?? '',
      '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'berthd.pid'), '--bridge', 'none'],
    path.join(dir, 'berthd.log'), env);
    try {
      await waitUntil(() => fs.existsSync(sock), 10_000, 'the activation socket');
      const r = runCmd(dockerCli, ['-H', `unix://${sock}`, 'version', '--format', '{{.Server.Os}}'], { env: cleanEnv({ DOCKER_CONFIG: path.join(dir, 'cli') }), timeoutMs: 30_000 });
      expect(r.status, `${r.stderr}\n${daemon.log()}`).toBe(0);
      expect(r.stdout).toBe('linux\n');
      // berthd is the process systemd-socket-activate exec'd into: LISTEN_PID was its pid
      expect(fs.readFileSync(path.join(dir, 'berthd.pid'), 'utf8').trim()).toBe(String(daemon.pid));
      expect(daemon.log()).toContain('"host":"fd://3"');
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
  }, 90_000);

  it('refuses fd:// when nothing was activated, with dockerd\'s words', () => {
    const r = spawnSync(bin('berthd'), ['-H', 'fd://', '--containerd', ctrd?.address ?? '', '--data-root', path.join(dir, 'd2'), '--exec-root', path.join(dir, 'e2'),
      '--pidfile', path.join(dir, 'p2'), '--bridge', 'none'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LISTEN_FDS: '1', LISTEN_PID: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no sockets found via socket activation: make sure the service was started by systemd');
  }, 90_000);
});
