/**
 * berthd's registry settings with the docker CLI 28 and Debian's
 * docker-registry: --registry-mirror (a docker.io pull served by a mirror on
 * 127.0.0.1, shown by `docker info`) and --insecure-registry (a registry on
 * an address of a bridge this test makes: refused over HTTPS without the
 * flag, pushed to and pulled from with it). Traffic goes only to loopback and
 * to that bridge's address.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { tempRoot } from '../helpers/bundle.js';
import { startRegistry, type Registry } from '../containerd/storage.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';
import { freeSubnet } from './net-helpers.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'docker-registry', 'ip') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

describe.skipIf(!available)('registry mirrors and insecure registries on berthd', () => {
  let plain: Berthd; // no registry flags
  let configured: Berthd; // --registry-mirror, --insecure-registry
  let mirror: Registry;
  let remote: Registry;
  let dir = '';
  const bridge = `brg${randomBytes(3).toString('hex')}`;
  const ip = `${freeSubnet().prefix}.1`;
  const must = (d: Berthd, ...args: string[]) => {
    const r = d.docker(args, 120_000);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    dir = tempRoot('regacc');
    runCmd('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
    runCmd('ip', ['addr', 'add', `${ip}/24`, 'dev', bridge]);
    runCmd('ip', ['link', 'set', bridge, 'up']);
    fs.mkdirSync(`${dir}/m`);
    fs.mkdirSync(`${dir}/r`);
    mirror = await startRegistry(`${dir}/m`);
    remote = await startRegistry(`${dir}/r`, ip);
    plain = await startBerthd();
    loadBusyboxImage(plain);
    // the mirror holds docker.io's library/busybox:latest (pushed by berthd: loopback registries are plain HTTP)
    must(plain, 'tag', 'busybox:latest', `${mirror.host}/library/busybox:latest`);
    must(plain, 'push', `${mirror.host}/library/busybox:latest`);
    configured = await startBerthd({ extraArgs: ['--registry-mirror', `http://${mirror.host}`, '--insecure-registry', remote.host] });
  }, 180_000);

  afterAll(async () => {
    await configured?.stop();
    await plain?.stop();
    await remote?.stop();
    await mirror?.stop();
    runCmd('ip', ['link', 'del', bridge]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('pulls a docker.io image from the mirror and shows the mirror in docker info', () => {
    const out = must(configured, 'pull', 'busybox:latest');
    expect(out).toContain('Status: Downloaded newer image for busybox:latest');
    const id = (d: Berthd) => must(d, 'image', 'inspect', '-f', '{{.Id}}', 'busybox:latest').trim();
    expect(id(configured)).toBe(id(plain));
    const info = must(configured, 'info');
    expect(info).toContain(` Registry Mirrors:\n  http://${mirror.host}/\n`);
    expect(info).toMatch(new RegExp(` Insecure Registries:\\n  ${remote.host.replace(/\./g, '\\.')}\\n  ::1/128\\n  127\\.0\\.0\\.0/8\\n`));
  });

  it('reaches a registry off loopback over plain HTTP only when it is named insecure', () => {
    const ref = `${remote.host}/bb:1`;
    must(plain, 'tag', 'busybox:latest', ref);
    const refused = plain.docker(['push', ref], 60_000);
    expect(refused.status).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/https:\/\//);
    must(configured, 'tag', 'busybox:latest', ref);
    expect(must(configured, 'push', ref)).toMatch(/1: digest: sha256:[0-9a-f]{64} size: \d+/);
    must(configured, 'rmi', ref);
    expect(must(configured, 'pull', ref)).toContain(`Status: Downloaded newer image for ${ref}`);
    expect(plain.docker(['pull', ref], 60_000).status).toBe(1);
  });
});
