/**
 * The Distribution token flow through berthd: Debian's docker-registry with
 * `auth: token` trusting a certificate of the test's own, and a token server
 * in this process on 127.0.0.1 that signs RS256 JWTs (x5c header) granting
 * exactly the requested actions to `user`:`password`, and nothing to anyone
 * else. Checks that push asks for `pull,push`, pull for `pull`, that login
 * goes through the realm, and dockerd's texts when refused. Commands run
 * asynchronously: the token server shares this event loop. Needs root.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd, startDaemon, type CmdResult, type Daemon } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { tempDir } from '../containerd/daemons.js';
import { freePort } from '../containerd/storage.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';
import { startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'docker-registry', 'openssl') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

const user = 'tokenuser';
const password = 'T0ken-pw-9Lmq';
const service = 'berth-test-registry';
const issuer = 'berth-test-issuer';

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

interface TokenServer { url: string; scopes: string[]; close(): Promise<void> }

function startTokenServer(key: crypto.KeyObject, certDer: Buffer): Promise<TokenServer> {
  const scopes: string[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const given = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
    const good = given === `${user}:${password}`;
    if (req.headers.authorization && !good) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const asked = u.searchParams.getAll('scope');
    scopes.push(...asked);
    const access = good ? asked.map((s) => {
      const [type, name, actions] = s.split(':');
      return { type, name, actions: (actions ?? '').split(',') };
    }) : [];
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = { iss: issuer, sub: good ? user : '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: crypto.randomUUID(), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${input}.${b64url(crypto.sign('sha256', Buffer.from(input), key))}`;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    resolve({ url: `http://127.0.0.1:${port}/token`, scopes, close: () => new Promise((r) => server.close(() => r())) });
  }));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
    child.stdin.end(input ?? '');
  });
}

describe.skipIf(!available)('bearer token auth through berthd', () => {
  let d: Berthd;
  let real: RealDockerd;
  let dir: string;
  let tokens: TokenServer;
  let registry: Daemon;
  let host: string;
  const docker = (args: string[], input?: string) => run(dockerCli, args, d.env, input);
  const berth = (args: string[], input?: string) => run(bin('berth'), args, d.env, input);

  beforeAll(async () => {
    dir = tempDir('tokenreg');
    const gen = runCmd('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=berth-token-test']);
    if (gen.status !== 0) throw new Error(`openssl: ${gen.stderr}`);
    const cert = new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'cert.pem')));
    tokens = await startTokenServer(crypto.createPrivateKey(fs.readFileSync(path.join(dir, 'key.pem'))), cert.raw);
    host = `127.0.0.1:${await freePort()}`;
    const config = path.join(dir, 'registry.yml');
    fs.writeFileSync(config, [
      'version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${path.join(dir, 'registry')}`,
      'auth:', '  token:', `    realm: ${tokens.url}`, `    service: ${service}`, `    issuer: ${issuer}`, `    rootcertbundle: ${path.join(dir, 'cert.pem')}`,
      'http:', `  addr: ${host}`, '',
    ].join('\n'));
    registry = startDaemon('docker-registry', ['serve', config], path.join(dir, 'registry.log'));
    for (const end = Date.now() + 15_000; !(await fetch(`http://${host}/v2/`).then((r) => r.status === 401, () => false)); ) {
      if (Date.now() > end) throw new Error(`docker-registry did not serve ${host}:\n${registry.log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    d = await startBerthd();
    loadBusyboxImage(d);
    expect(d.docker(['tag', 'busybox', `${host}/tok/bb:v1`]).status).toBe(0);
    real = await startRealDockerd();
    loadBusyboxImage(real);
    expect(real.docker(['tag', 'busybox', `${host}/tok/bb:v1`]).status).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await d?.stop();
    await real?.stop();
    await registry?.stop();
    await tokens?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('an anonymous push is refused with the words the real dockerd uses', async () => {
    const r = await docker(['push', `${host}/tok/bb:v1`]);
    const theirs = await run(dockerCli, ['push', `${host}/tok/bb:v1`], real.env);
    expect(theirs.status).toBe(1);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(theirs.stderr);
    expect(r.stdout).toBe(theirs.stdout);
  });

  it('an anonymous pull of a private image: the real dockerd\'s words', async () => {
    // berth-pushed content is needed first: the real dockerd's own push, logged in there only
    const login = await run(dockerCli, ['login', '-u', user, '--password-stdin', host], real.env, `${password}\n`);
    expect(login.status, login.stderr).toBe(0);
    const push = await run(dockerCli, ['push', `${host}/tok/bb:v1`], real.env);
    expect(push.status, push.stderr).toBe(0);
    expect((await run(dockerCli, ['logout', host], real.env)).status).toBe(0);
    expect((await run(dockerCli, ['rmi', `${host}/tok/bb:v1`], real.env)).status).toBe(0);
    const theirs = await run(dockerCli, ['pull', `${host}/tok/bb:v1`], real.env);
    const ours = await docker(['pull', `${host}/tok/bb:v1`]);
    expect(theirs.status).toBe(1);
    expect(ours.status).toBe(1);
    expect(ours.stderr).toBe(theirs.stderr);
  });

  it('login goes through the realm: a wrong password is refused as the real dockerd refuses it, the right one stored', async () => {
    const bad = await berth(['login', '-u', user, '--password-stdin', host], 'nope\n');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`Error response from daemon: Get "http://${host}/v2/": unauthorized: incorrect username or password\n`);
    const theirs = await run(dockerCli, ['login', '-u', user, '--password-stdin', host], real.env, 'nope\n');
    expect(theirs.stderr).toBe(bad.stderr);
    const ok = await berth(['login', '-u', user, '--password-stdin', host], `${password}\n`);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('Login Succeeded\n');
  });

  it('push asks for pull,push; pull for pull', async () => {
    tokens.scopes.length = 0;
    const push = await berth(['push', `${host}/tok/bb:v1`]);
    expect(push.status, push.stderr).toBe(0);
    expect(tokens.scopes).toContain('repository:tok/bb:pull,push');
    tokens.scopes.length = 0;
    expect((await berth(['rmi', `${host}/tok/bb:v1`])).status).toBe(0);
    const pull = await berth(['pull', `${host}/tok/bb:v1`]);
    expect(pull.status, pull.stderr).toBe(0);
    expect(tokens.scopes).toEqual(['repository:tok/bb:pull']);
  });
});
