/**
 * HTTPS registries checked against per-registry CAs (docker's certs.d layout
 * under $BERTH_CERTS_D): Debian's docker-registry serving TLS on an address
 * of a bridge this test makes, with a server certificate from a CA made here
 * by openssl. Without the CA berthd refuses the registry in Go's x509 words;
 * once ca.crt is copied into <certs.d>/<ip:port>/, push, pull and login work
 * with no restart (and client.cert/client.key answer a registry that asks for one), through the docker CLI 28 and berth; with --insecure-registry
 * berthd speaks HTTPS to it unchecked. Traffic goes only to that bridge's address.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { tempRoot } from '../helpers/bundle.js';
import { startRegistry, type Registry } from '../containerd/storage.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';
import { freeSubnet } from './net-helpers.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'docker-registry', 'ip', 'openssl') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

/** A CA, a server certificate for `ip` (SAN IP:ip) and a client certificate signed by it, as PEM files in `dir`. */
function makeCerts(dir: string, ip: string): { ca: string; cert: string; key: string; clientCert: string; clientKey: string } {
  const ssl = (...args: string[]) => {
    const r = runCmd('openssl', args);
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  const f = (n: string) => path.join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=berth test CA');
  ssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', `/CN=${ip}`);
  fs.writeFileSync(f('ext.cnf'), `subjectAltName=IP:${ip}\n`);
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('ext.cnf'));
  ssl('req', ...ec, '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', '/CN=berth test client');
  fs.writeFileSync(f('client.cnf'), 'extendedKeyUsage=clientAuth\n');
  ssl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('client.cert'), '-days', '2', '-extfile', f('client.cnf'));
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key'), clientCert: f('client.cert'), clientKey: f('client.key') };
}

describe.skipIf(!available)('HTTPS registries with certs.d CAs on berthd', () => {
  let d: Berthd;
  let registry: Registry;
  let dir = '';
  let certsD = '';
  let ca = '';
  let certs: ReturnType<typeof makeCerts>;
  const bridge = `brg${randomBytes(3).toString('hex')}`;
  const ip = `${freeSubnet().prefix}.1`;
  const must = (args: string[]) => {
    const r = d.docker(args, 120_000);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const berth = (args: string[]) => runCmd(bin('berth'), args, { env: d.env, timeoutMs: 120_000 });

  beforeAll(async () => {
    dir = tempRoot('regtls');
    certsD = path.join(dir, 'certs.d');
    fs.mkdirSync(certsD);
    runCmd('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
    runCmd('ip', ['addr', 'add', `${ip}/24`, 'dev', bridge]);
    runCmd('ip', ['link', 'set', bridge, 'up']);
    certs = makeCerts(dir, ip);
    ca = certs.ca;
    fs.mkdirSync(path.join(dir, 'r'));
    registry = await startRegistry(path.join(dir, 'r'), ip, { certificate: certs.cert, key: certs.key, ca: fs.readFileSync(ca, 'utf8') });
    d = await startBerthd({ env: { BERTH_CERTS_D: certsD } });
    loadBusyboxImage(d);
    must(['tag', 'busybox:latest', `${registry.host}/bb:1`]);
  }, 180_000);

  afterAll(async () => {
    await d?.stop();
    await registry?.stop();
    runCmd('ip', ['link', 'del', bridge]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('refuses a registry whose CA is not trusted, in Go x509 words', () => {
    const unknown = 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    const pull = d.docker(['pull', `${registry.host}/bb:1`], 60_000);
    expect(pull.status).toBe(1);
    expect(pull.stderr).toMatch(new RegExp(`Error response from daemon: (Head|Get) "https://${registry.host.replace(/\./g, '\\.')}/v2/[^"]*": ${unknown}`));
    const push = d.docker(['push', `${registry.host}/bb:1`], 60_000);
    expect(push.status).toBe(1);
    expect(push.stdout + push.stderr).toContain(unknown);
    const login = d.docker(['login', '-u', 'u', '-p', 'p', registry.host], 60_000);
    expect(login.status).toBe(1);
    expect(login.stderr).toContain(`"https://${registry.host}/v2/": ${unknown}`);
    const berthPull = berth(['pull', `${registry.host}/bb:1`]);
    expect(berthPull.status).toBe(1);
    expect(berthPull.stderr).toContain(unknown);
  });

  it('trusts the CA once it is in <certs.d>/<host:port>/, with no restart', () => {
    const pid = d.daemon.pid;
    fs.mkdirSync(path.join(certsD, registry.host));
    fs.copyFileSync(ca, path.join(certsD, registry.host, 'ca.crt'));
    expect(must(['push', `${registry.host}/bb:1`])).toMatch(/1: digest: sha256:[0-9a-f]{64} size: \d+/);
    must(['rmi', `${registry.host}/bb:1`]);
    expect(must(['pull', `${registry.host}/bb:1`])).toContain(`Status: Downloaded newer image for ${registry.host}/bb:1`);
    // berth's CLI, another tag
    must(['tag', 'busybox:latest', `${registry.host}/bb:2`]);
    const pushed = berth(['push', `${registry.host}/bb:2`]);
    expect(pushed.status, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/2: digest: sha256:[0-9a-f]{64} size: \d+/);
    must(['rmi', `${registry.host}/bb:2`]);
    const pulled = berth(['pull', `${registry.host}/bb:2`]);
    expect(pulled.status, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain(`Status: Downloaded newer image for ${registry.host}/bb:2`);
    // an open registry: any credentials log in, sent only over the verified TLS connection
    expect(must(['login', '-u', 'u', '-p', 'p', registry.host])).toContain('Login Succeeded');
    expect(d.daemon.pid).toBe(pid);
  });

  it('presents the client certificate of certs.d to a registry that requires one', async () => {
    fs.mkdirSync(path.join(dir, 'm'));
    const mtls = await startRegistry(path.join(dir, 'm'), ip, {
      certificate: certs.cert, key: certs.key, ca: fs.readFileSync(ca, 'utf8'), clientCa: ca,
      client: { cert: fs.readFileSync(certs.clientCert, 'utf8'), key: fs.readFileSync(certs.clientKey, 'utf8') },
    });
    try {
      const hostDir = path.join(certsD, mtls.host);
      fs.mkdirSync(hostDir);
      fs.copyFileSync(ca, path.join(hostDir, 'ca.crt'));
      must(['tag', 'busybox:latest', `${mtls.host}/bb:1`]);
      const refused = d.docker(['push', `${mtls.host}/bb:1`], 60_000);
      expect(refused.status).toBe(1);
      expect(refused.stdout + refused.stderr).toMatch(new RegExp(`"https://${mtls.host.replace(/\./g, '\\.')}/v2/[^"]*": (EOF|remote error: tls: )`));
      fs.copyFileSync(certs.clientCert, path.join(hostDir, 'client.cert'));
      fs.copyFileSync(certs.clientKey, path.join(hostDir, 'client.key'));
      expect(must(['push', `${mtls.host}/bb:1`])).toMatch(/1: digest: sha256:[0-9a-f]{64} size: \d+/);
      must(['rmi', `${mtls.host}/bb:1`]);
      expect(must(['pull', `${mtls.host}/bb:1`])).toContain(`Status: Downloaded newer image for ${mtls.host}/bb:1`);
    } finally {
      await mtls.stop();
    }
  }, 180_000);

  it('reaches an --insecure-registry over HTTPS without checking its certificate', async () => {
    const emptyCerts = path.join(dir, 'certs.d-empty');
    fs.mkdirSync(emptyCerts);
    const insecure = await startBerthd({ env: { BERTH_CERTS_D: emptyCerts }, extraArgs: ['--insecure-registry', registry.host] });
    try {
      // the registry serves TLS only: these work only if berthd spoke HTTPS to it
      const pulled = insecure.docker(['pull', `${registry.host}/bb:1`], 120_000);
      expect(pulled.status, pulled.stderr).toBe(0);
      expect(pulled.stdout).toContain(`Status: Downloaded newer image for ${registry.host}/bb:1`);
      expect(insecure.docker(['tag', `${registry.host}/bb:1`, `${registry.host}/bb:3`]).status).toBe(0);
      const pushed = insecure.docker(['push', `${registry.host}/bb:3`], 120_000);
      expect(pushed.status, pushed.stderr).toBe(0);
      expect(pushed.stdout).toMatch(/3: digest: sha256:[0-9a-f]{64} size: \d+/);
    } finally {
      await insecure.stop();
    }
  }, 180_000);
});
