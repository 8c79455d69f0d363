/**
 * berthd's image endpoints (containerd image store) judged by the real docker
 * CLI 28: load a docker-save tar of the busybox rootfs, list, inspect, tag, rmi,
 * and docker's not-found error. Needs root (berth-containerd).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDockerImage } from '../helpers/docker-image.js';
import { haveBinaries } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import type { BuiltImage } from '../helpers/oci-image.js';
import { dockerCli, request, startBerthd, type Berthd } from './berthd.js';

const available =
  process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

describe.skipIf(!available)('berthd images through the real docker CLI', () => {
  let d: Berthd;
  let image: BuiltImage;
  const tag = `t${process.pid}`;

  beforeAll(async () => {
    d = await startBerthd();
    image = buildDockerImage({ rootfs: busyboxRootfs, tag: `busybox:${tag}`, out: path.join(d.dir, 'busybox.tar'), cmd: ['sh'] });
  }, 60_000);

  afterAll(async () => {
    await d?.stop();
  });

  it('docker load prints Loaded image', () => {
    const r = d.docker(['load', '-i', image.file], 60_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`Loaded image: busybox:${tag}`);
  });

  it('docker images lists it with docker\'s columns', () => {
    const r = d.docker(['images']);
    expect(r.status, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    const hex = image.configDigest.slice(7, 19);
    expect(rows.some((l) => new RegExp(`^busybox\\s+${tag}\\s+${hex}\\s+\\S.*\\s+\\d`).test(l)), r.stdout).toBe(true);
  });

  it('docker images --format', () => {
    const r = d.docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toContain(`busybox:${tag} ${image.configDigest.slice(7, 19)}`);
  });

  it('docker image inspect shows docker\'s fields', () => {
    const r = d.docker(['image', 'inspect', `busybox:${tag}`]);
    expect(r.status, r.stderr).toBe(0);
    const [info] = JSON.parse(r.stdout) as Array<Record<string, any>>;
    expect(info?.Id).toBe(image.configDigest);
    expect(info?.RepoTags).toEqual([`busybox:${tag}`]);
    expect(info?.RepoDigests).toEqual([expect.stringMatching(/^busybox@sha256:[0-9a-f]{64}$/)]);
    expect(info?.RootFS).toEqual({ Type: 'layers', Layers: [expect.stringMatching(/^sha256:[0-9a-f]{64}$/)] });
    expect(info?.Config.Cmd).toEqual(['sh']);
    expect(info?.Os).toBe('linux');
    expect(info?.Architecture).toBe('amd64');
    expect(info?.Created).toBe('2024-01-01T00:00:00Z');
    expect(info?.Size).toBeGreaterThan(100_000);
    const byId = d.docker(['image', 'inspect', '--format', '{{.Id}}', image.configDigest.slice(7, 19)]);
    expect(byId.stdout.trim(), byId.stderr).toBe(image.configDigest);
  });

  it('docker tag adds a name; docker rmi untags, then deletes', () => {
    const t = d.docker(['tag', `busybox:${tag}`, `example.com/other/bb:v2`]);
    expect(t.status, t.stderr).toBe(0);
    const ls = d.docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    const short = image.configDigest.slice(7, 19);
    expect(ls.stdout.trim().split('\n').sort()).toEqual([`busybox:${tag} ${short}`, `example.com/other/bb:v2 ${short}`]);
    const filtered = d.docker(['images', '--filter', 'reference=busybox', '--format', '{{.Repository}}']);
    expect(filtered.stdout.trim()).toBe('busybox');

    const rm1 = d.docker(['rmi', 'example.com/other/bb:v2']);
    expect(rm1.status, rm1.stderr).toBe(0);
    expect(rm1.stdout.trim()).toBe('Untagged: example.com/other/bb:v2');
    const rm2 = d.docker(['rmi', `busybox:${tag}`]);
    expect(rm2.status, rm2.stderr).toBe(0);
    expect(rm2.stdout.trim().split('\n')).toEqual([`Untagged: busybox:${tag}`, `Deleted: ${image.configDigest}`]);
    expect(d.docker(['images', '-q']).stdout.trim()).toBe('');
  });

  it('docker image inspect of a missing image fails with docker\'s words', async () => {
    const r = d.docker(['image', 'inspect', 'nope']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('Error response from daemon: No such image: nope');
    const raw = await request(d.socket, 'GET', '/v1.45/images/nope/json');
    expect(raw.status).toBe(404);
    expect(JSON.parse(raw.body)).toEqual({ message: 'No such image: nope' });
  });
});
