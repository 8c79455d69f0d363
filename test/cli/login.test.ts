/**
 * Registry authentication end to end: Debian's docker-registry on 127.0.0.1
 * with htpasswd (bcrypt) basic auth. A push without credentials fails with
 * dockerd's words; `berth login` (and the real docker CLI's `docker login`)
 * against berthd checks the password through POST /auth, stores it in a
 * docker-style config.json (mode 0600, other keys kept), and berth push/pull
 * then send it as X-Registry-Auth; a wrong password fails with dockerd's
 * text and exit 1; logout removes the entry; the password never reaches
 * berthd's log. Needs root (berth-containerd).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd, startDaemon, type CmdResult, type Daemon } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { tempDir } from '../containerd/daemons.js';
import { freePort } from '../containerd/storage.js';
import { dockerCli, startBerthd, type Berthd } from '../dockerd/berthd.js';
import { loadBusyboxImage } from '../dockerd/busybox-image.js';
import { startRealDockerd } from '../helpers/real-dockerd.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'docker-registry', 'htpasswd', 'dockerd') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

const user = 'pushuser';
const password = 'Sekr1t-pw-7QzX';

/** docker-registry on a free loopback port, accepting only `user`:`password`. */
async function startAuthRegistry(dir: string): Promise<{ host: string; daemon: Daemon }> {
  const ht = runCmd('htpasswd', ['-Bbn', user, password]);
  if (ht.status !== 0) throw new Error(`htpasswd: ${ht.stderr}`);
  fs.writeFileSync(path.join(dir, 'htpasswd'), ht.stdout);
  const host = `127.0.0.1:${await freePort()}`;
  const config = path.join(dir, 'registry.yml');
  fs.writeFileSync(config, [
    'version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${path.join(dir, 'registry')}`,
    'auth:', '  htpasswd:', '    realm: berth-test', `    path: ${path.join(dir, 'htpasswd')}`, 'http:', `  addr: ${host}`, '',
  ].join('\n'));
  const daemon = startDaemon('docker-registry', ['serve', config], path.join(dir, 'registry.log'));
  for (const end = Date.now() + 15_000; ; ) {
    if (await fetch(`http://${host}/v2/`).then((r) => r.status === 401, () => false)) break;
    if (Date.now() > end) {
      await daemon.stop();
      throw new Error(`docker-registry did not serve ${host}:\n${daemon.log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, daemon };
}

describe.skipIf(!available)('registry login, push and pull with credentials', () => {
  let d: Berthd;
  let registry: { host: string; daemon: Daemon };
  let dir: string;
  let configFile: string;
  const berth = (args: string[], input?: string): CmdResult =>
    runCmd(bin('berth'), args, { env: d.env, timeoutMs: 60_000, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    dir = tempDir('loginreg');
    registry = await startAuthRegistry(dir);
    d = await startBerthd();
    loadBusyboxImage(d);
    configFile = path.join(d.env.DOCKER_CONFIG ?? '', 'config.json');
    expect(d.docker(['tag', 'busybox', `${registry.host}/private:v1`]).status).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await d?.stop();
    await registry?.daemon.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('a push without credentials fails as dockerd says it', () => {
    const r = berth(['push', `${registry.host}/private:v1`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('no basic auth credentials\n');
    const docker = d.docker(['push', `${registry.host}/private:v1`], 60_000);
    expect(docker.status).toBe(1);
    expect(docker.stderr).toBe('no basic auth credentials\n');
  });

  it('a wrong password: dockerd\'s text, exit 1, nothing stored', () => {
    const r = berth(['login', '-u', user, '--password-stdin', registry.host], 'wrong\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`Error response from daemon: login attempt to http://${registry.host}/v2/ failed with status: 401 Unauthorized\n`);
    expect(fs.existsSync(configFile)).toBe(false);
  });

  it('berth login stores the credentials (0600, other keys kept); push and pull send them', () => {
    fs.mkdirSync(path.dirname(configFile), { recursive: true });
    fs.writeFileSync(configFile, JSON.stringify({ psFormat: 'table {{.ID}}', auths: { 'other.example:5000': { auth: 'eDp5' } } }));
    const r = berth(['login', '-u', user, '--password-stdin', registry.host], `${password}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Login Succeeded\n');
    expect(r.stderr).not.toContain(password);
    expect(fs.statSync(configFile).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { psFormat?: string; auths: Record<string, { auth: string }> };
    expect(doc.psFormat).toBe('table {{.ID}}');
    expect(doc.auths['other.example:5000']).toEqual({ auth: 'eDp5' });
    expect(doc.auths[registry.host]).toEqual({ auth: Buffer.from(`${user}:${password}`).toString('base64') });

    const push = berth(['push', `${registry.host}/private:v1`]);
    expect(push.status, push.stderr).toBe(0);
    expect(push.stdout).toMatch(/^v1: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    expect(berth(['rmi', `${registry.host}/private:v1`]).status).toBe(0);
    const pull = berth(['pull', `${registry.host}/private:v1`]);
    expect(pull.status, pull.stderr).toBe(0);
    expect(pull.stdout).toContain(`Status: Downloaded newer image for ${registry.host}/private:v1`);
  });

  it('logout removes the entry and keeps the rest', () => {
    const r = berth(['logout', registry.host]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`Removing login credentials for ${registry.host}\n`);
    const doc = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { auths: Record<string, unknown> };
    expect(Object.keys(doc.auths)).toEqual(['other.example:5000']);
    const push = berth(['push', `${registry.host}/private:v1`]);
    expect(push.status).toBe(1);
    expect(push.stderr).toBe('no basic auth credentials\n');
  });

  it('a pull without credentials fails as it does from the real dockerd', async () => {
    const real = await startRealDockerd();
    try {
      const theirs = real.docker(['pull', `${registry.host}/private:v1`], 60_000);
      const ours = d.docker(['pull', `${registry.host}/private:v1`], 60_000);
      expect(theirs.status).toBe(1);
      expect(ours.status).toBe(1);
      expect(ours.stderr).toBe(theirs.stderr);
    } finally {
      await real.stop();
    }
  }, 120_000);

  it('the real docker CLI logs in through berthd and pushes', () => {
    const r = runCmd(dockerCli, ['login', '-u', user, '--password-stdin', registry.host], { env: d.env, input: `${password}\n`, timeoutMs: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Login Succeeded\n');
    const wrong = runCmd(dockerCli, ['login', '-u', user, '--password-stdin', registry.host], { env: d.env, input: 'nope\n', timeoutMs: 30_000 });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim()).toBe(`Error response from daemon: login attempt to http://${registry.host}/v2/ failed with status: 401 Unauthorized`);
    const push = d.docker(['push', `${registry.host}/private:v1`], 60_000);
    expect(push.status, push.stderr).toBe(0);
    expect(push.stdout).toMatch(/: Layer already exists$/m);
  });

  it('the password never reaches berthd\'s log', () => {
    const log = d.daemon.log();
    expect(log).toContain('/auth');
    expect(log).not.toContain(password);
    expect(log).not.toContain(Buffer.from(`${user}:${password}`).toString('base64'));
  });
});
