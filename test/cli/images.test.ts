/**
 * berth's image commands (load, images / image ls, image inspect, tag, rmi)
 * against berthd, compared line for line with the real docker CLI 28 at the
 * same daemon: stdout, stderr and exit status.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDockerImage } from '../helpers/docker-image.js';
import { haveBinaries } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import type { BuiltImage } from '../helpers/oci-image.js';
import { dockerCli, startBerthd, type Berthd } from '../dockerd/berthd.js';
import { berth, berthBin, cleanEnv } from './run-berth.js';
import { runCmd } from '../helpers/daemon.js';

const available =
  process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(berthBin) && fs.existsSync(busyboxRootfs);

/** The CREATED column's relative time may tick between the two calls. */
const norm = (s: string): string => s.replace(/\d+ (seconds|minutes|hours|days|weeks|months|years) ago/g, 'N ago');

describe.skipIf(!available)('berth image commands against berthd, judged by docker 28', () => {
  let d: Berthd;
  let env: NodeJS.ProcessEnv;
  let image: BuiltImage;
  const tag = `c${process.pid}`;

  beforeAll(async () => {
    d = await startBerthd();
    env = cleanEnv({ BERTH_HOST: `unix://${d.socket}` });
    image = buildDockerImage({ rootfs: busyboxRootfs, tag: `busybox:${tag}`, out: path.join(d.dir, 'busybox.tar'), cmd: ['sh'] });
  }, 60_000);

  afterAll(async () => {
    await d?.stop();
  });

  async function same(args: string[], sortLines = false): Promise<string> {
    const want = d.docker(args);
    const got = await berth(args, env);
    const tidy = (s: string) => (sortLines ? norm(s).split('\n').sort().join('\n') : norm(s));
    expect({ args, status: got.status, stdout: tidy(got.stdout), stderr: got.stderr }).toEqual({
      args,
      status: want.status,
      stdout: tidy(want.stdout),
      stderr: want.stderr,
    });
    return got.stdout;
  }

  it('load -i prints Loaded image, as docker load does', async () => {
    const got = await berth(['load', '-i', image.file], env, 60_000);
    expect(got.status, got.stderr).toBe(0);
    const want = d.docker(['load', '-i', image.file], 60_000);
    expect(got.stdout).toBe(want.stdout);
    expect(got.stdout).toBe(`Loaded image: busybox:${tag}\n`);
  });

  it('load reads stdin', () => {
    const got = runCmd('sh', ['-c', `"${berthBin}" load < "${image.file}"`], { env, timeoutMs: 60_000 });
    const want = runCmd('sh', ['-c', `"${dockerCli}" load < "${image.file}"`], { env: d.env, timeoutMs: 60_000 });
    expect(got.status, got.stderr).toBe(0);
    expect(got.stdout).toBe(want.stdout);
  });

  it('images, image ls, -q, --format, table, json, --filter', async () => {
    const out = await same(['images']);
    expect(out).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/);
    await same(['image', 'ls']);
    await same(['images', '-q']);
    await same(['images', '--no-trunc']);
    await same(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.CreatedAt}}']);
    await same(['images', '--format', 'table {{.Repository}}\\t{{.ID}}\\t{{.Size}}']);
    await same(['images', '--format', 'json']);
    await same(['images', '--filter', 'reference=busybox']);
    await same(['images', '--filter', 'reference=nothing']);
    await same(['images', 'busybox']);
  });

  it('image inspect: the JSON array, --format, and the missing image', async () => {
    await same(['image', 'inspect', `busybox:${tag}`]);
    await same(['image', 'inspect', '--format', '{{.Id}} {{json .RepoTags}} {{.Config.Cmd}}', `busybox:${tag}`]);
    await same(['image', 'inspect', '-f', '{{.Id}}', image.configDigest.slice(7, 19)]);
    await same(['image', 'inspect', 'nope']);
  });

  it('tag, then rmi untags and deletes; rmi of a missing image fails', async () => {
    await same(['tag', `busybox:${tag}`, 'example.com/other/bb:v2']);
    await same(['tag', `busybox:${tag}`, 'plain']);
    await same(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'], true);
    await same(['images', '--filter', 'reference=plain']);
    const rm1 = await berth(['rmi', 'example.com/other/bb:v2', 'plain'], env);
    expect(rm1.status, rm1.stderr).toBe(0);
    expect(rm1.stdout).toBe('Untagged: example.com/other/bb:v2\nUntagged: plain:latest\n');
    await same(['rmi', 'nope']);
    const rm2 = await berth(['rmi', `busybox:${tag}`], env);
    expect(rm2.status, rm2.stderr).toBe(0);
    expect(rm2.stdout).toBe(`Untagged: busybox:${tag}\nDeleted: ${image.configDigest}\n`);
    await same(['images', '-q']);
    await same(['images']);
    // docker's rmi of the same sequence prints the same lines and errors
    expect(d.docker(['load', '-i', image.file], 60_000).status).toBe(0);
    expect(d.docker(['tag', `busybox:${tag}`, 'example.com/other/bb:v2']).status).toBe(0);
    expect(d.docker(['tag', `busybox:${tag}`, 'plain']).status).toBe(0);
    const want1 = d.docker(['rmi', 'example.com/other/bb:v2', 'plain']);
    expect({ status: rm1.status, stdout: rm1.stdout, stderr: rm1.stderr }).toEqual({ status: want1.status, stdout: want1.stdout, stderr: want1.stderr });
    const want2 = d.docker(['rmi', `busybox:${tag}`, 'nope']);
    expect(want2.status).toBe(1);
    expect(want2.stdout).toBe(rm2.stdout);
    expect(want2.stderr).toBe('Error response from daemon: No such image: nope\n');
  });
});
