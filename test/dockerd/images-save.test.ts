/**
 * save/load, history, import and prune through berthd, beside a private real
 * dockerd 20.10 (own socket and data root, --bridge none) pulling the same
 * images from the same registry: a tar saved by berthd loads into dockerd and
 * one saved by dockerd loads into berthd with the same image IDs; history and
 * pull errors read alike. Needs root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, mountsUnder, runCmd, startDaemon, trackHostDirs, unmountUnder, waitUntil, type Daemon } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { tempDir } from '../containerd/daemons.js';
import { startRegistry, type Registry } from '../containerd/storage.js';
import { dockerCli, request, startBerthd, type Berthd } from './berthd.js';
import { pushTestImages, type Pushed } from './images-fixtures.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'dockerd', 'containerd', 'docker-registry', 'skopeo') &&
  fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

describe.skipIf(!available)('save, load, history, import, prune: berthd beside a real dockerd', () => {
  let d: Berthd;
  let registry: Registry;
  let real: Daemon | undefined;
  let tmp: string;
  let execRoot: string;
  let realEnv: NodeJS.ProcessEnv;
  let forgetHostDirs: (() => void) | undefined;
  let images: { oci: Pushed; schema2: Pushed; index: Pushed; armConfig: string };
  const realDocker = (args: string[], timeoutMs = 60_000) => runCmd(dockerCli, args, { env: realEnv, timeoutMs });

  beforeAll(async () => {
    tmp = tempDir('imgsave');
    registry = await startRegistry(tmp);
    images = await pushTestImages(tmp, registry.host);
    d = await startBerthd();
    execRoot = path.join(tmp, 'exec');
    const sock = path.join(tmp, 'docker.sock');
    const config = path.join(tmp, 'daemon.json');
    fs.writeFileSync(config, JSON.stringify({ 'deprecated-key-path': path.join(tmp, 'key.json') }));
    realEnv = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(tmp, 'cli') };
    delete realEnv.DOCKER_CONTEXT;
    forgetHostDirs = trackHostDirs(['/run/docker', '/run/docker/plugins', '/opt/containerd', '/opt/containerd/bin', '/opt/containerd/lib']);
    real = startDaemon('dockerd', [
      '-H', `unix://${sock}`, '--data-root', path.join(tmp, 'data'), '--exec-root', execRoot,
      '--pidfile', path.join(tmp, 'docker.pid'), '--config-file', config, '--bridge', 'none',
      '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--ip-forward=false', '--userland-proxy=false',
    ], path.join(tmp, 'dockerd.log'));
    const r = real;
    await waitUntil(() => fs.existsSync(sock) && realDocker(['version']).status === 0, 30_000, `dockerd to serve ${sock}`).catch((err: Error) => {
      throw new Error(`${err.message}\n${r.log().slice(-3000)}`);
    });
    expect(d.docker(['pull', '-q', images.oci.ref], 120_000).status).toBe(0);
    expect(realDocker(['pull', '-q', images.oci.ref], 120_000).status).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await d?.stop();
    await registry?.stop();
    if (real) {
      let containerdPid = 0;
      try {
        containerdPid = Number(fs.readFileSync(path.join(execRoot, 'containerd', 'containerd.pid'), 'utf8'));
      } catch {
        // dockerd did not get as far as starting it
      }
      await real.stop();
      if (containerdPid > 0) {
        await waitUntil(() => !fs.existsSync(`/proc/${containerdPid}`), 10_000, 'dockerd\'s containerd to exit').catch(() => {
          process.kill(containerdPid, 'SIGKILL');
        });
      }
    }
    if (tmp) {
      unmountUnder(tmp);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    forgetHostDirs?.();
  });

  it('both daemons pulled the same image', () => {
    const fmt = ['image', 'inspect', '--format', '{{.Id}} {{json .RepoTags}} {{json .RootFS.Layers}} {{json .Config.Labels}}', images.oci.ref];
    const ours = d.docker(fmt);
    expect(ours.stdout, ours.stderr).toBe(realDocker(fmt).stdout);
  });

  it('history reads as dockerd\'s', () => {
    for (const args of [
      ['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedAt}}|{{.CreatedBy}}|{{.Comment}}', images.oci.ref],
      ['history', '--format', '{{.ID}}|{{.CreatedBy}}', images.oci.ref],
      ['history', '-q', images.oci.ref],
    ]) {
      const ours = d.docker(args);
      expect({ args, out: ours.stdout, err: ours.stderr, status: ours.status }).toEqual({ args, ...((r) => ({ out: r.stdout, err: r.stderr, status: r.status }))(realDocker(args)) });
    }
    const sizes = (out: string) => out.trim().split('\n').map(Number);
    const ourSizes = sizes(d.docker(['history', '--format', '{{.Size}}', '-H=false', images.oci.ref]).stdout);
    const theirSizes = sizes(realDocker(['history', '--format', '{{.Size}}', '-H=false', images.oci.ref]).stdout);
    // a layer's size counted as dockerd 20.10's overlay2 counts it (file lengths, no directories); empty_layer 0
    expect(ourSizes).toEqual(theirSizes);
    expect(ourSizes[1]).toBe(0);
  });

  it('the raw history items have docker\'s fields', async () => {
    const raw = await request(d.socket, 'GET', `/v1.45/images/${encodeURIComponent(images.oci.ref)}/history`);
    expect(raw.status).toBe(200);
    const items = JSON.parse(raw.body) as Array<Record<string, unknown>>;
    expect(items).toHaveLength(4);
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(['Comment', 'Created', 'CreatedBy', 'Id', 'Size', 'Tags']);
    expect(items[0]).toMatchObject({ Id: images.oci.configDigest, Tags: [images.oci.ref] });
    expect(items[1]).toMatchObject({ Id: '<missing>', Tags: null, Size: 0 });
  });

  it('a tar saved by berthd loads into the real dockerd', () => {
    const file = path.join(tmp, 'from-berthd.tar');
    const s = d.docker(['save', '-o', file, images.oci.ref], 60_000);
    expect(s.status, s.stderr).toBe(0);
    const list = runCmd('tar', ['-tf', file]).stdout.split('\n');
    expect(list).toEqual(expect.arrayContaining(['index.json', 'manifest.json', 'oci-layout', `blobs/sha256/${images.oci.configDigest.slice(7)}`]));
    realDocker(['rmi', images.oci.ref]);
    const l = realDocker(['load', '-i', file]);
    expect(l.status, l.stderr).toBe(0);
    expect(l.stdout.trim()).toBe(`Loaded image: ${images.oci.ref}`);
    expect(realDocker(['image', 'inspect', '--format', '{{.Id}}', images.oci.ref]).stdout.trim()).toBe(images.oci.configDigest);
  });

  it('a tar saved by the real dockerd loads into berthd', () => {
    realDocker(['tag', images.oci.ref, 'saved-by-dockerd:v1']);
    const file = path.join(tmp, 'from-dockerd.tar');
    expect(realDocker(['save', '-o', file, 'saved-by-dockerd:v1']).status).toBe(0);
    const l = d.docker(['load', '-i', file], 60_000);
    expect(l.status, l.stderr).toBe(0);
    expect(l.stdout.trim()).toBe('Loaded image: saved-by-dockerd:v1');
    expect(d.docker(['image', 'inspect', '--format', '{{.Id}} {{len .RootFS.Layers}}', 'saved-by-dockerd:v1']).stdout.trim()).toBe(`${images.oci.configDigest} 3`);
  });

  it('save to stdout, by ID and several names; a berthd tar loads back into berthd', () => {
    const file = path.join(tmp, 'two.tar');
    const s = runCmd('sh', ['-c', `"${dockerCli}" save ${images.oci.ref} saved-by-dockerd:v1 > "${file}"`], { env: d.env, timeoutMs: 60_000 });
    expect(s.status, s.stderr).toBe(0);
    const manifest = JSON.parse(runCmd('tar', ['-xOf', file, 'manifest.json']).stdout) as Array<{ RepoTags: string[] }>;
    expect(manifest).toHaveLength(1);
    expect(manifest[0]?.RepoTags.sort()).toEqual([images.oci.ref, 'saved-by-dockerd:v1'].sort());
    expect(d.docker(['rmi', '-f', images.oci.configDigest]).status).toBe(0);
    const l = d.docker(['load', '-i', file], 60_000);
    expect(l.stdout.trim().split('\n').sort(), l.stderr).toEqual([`Loaded image: ${images.oci.ref}`, 'Loaded image: saved-by-dockerd:v1'].sort());
    const none = d.docker(['save', '-o', path.join(tmp, 'x.tar'), 'nope:v1']);
    expect(none.status).toBe(1);
    expect(none.stderr.trim()).toBe('Error response from daemon: No such image: nope:v1');
  });

  it('pull errors read as dockerd\'s', () => {
    const args = ['pull', `${registry.host}/multi:nope`];
    const ours = d.docker(args);
    const theirs = realDocker(args);
    expect({ status: ours.status, stderr: ours.stderr }).toEqual({ status: theirs.status, stderr: theirs.stderr });
  });

  it('import: a rootfs tar with --change and -m', () => {
    const rootfs = path.join(tmp, 'rootfs.tar');
    runCmd('tar', ['-C', busyboxRootfs, '-cf', rootfs, '.']);
    const args = ['import', '-c', 'CMD ["echo","hi"]', '-c', 'ENV A=b', '-m', 'imported', rootfs, 'imported:v1'];
    const ours = d.docker(args, 60_000);
    expect(ours.status, ours.stderr).toBe(0);
    expect(ours.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const theirs = realDocker(args);
    const fmt = ['image', 'inspect', '--format', '{{json .Config.Cmd}} {{json .Config.Env}} {{.Comment}} {{len .RootFS.Layers}} {{index .RootFS.Layers 0}}', 'imported:v1'];
    expect(d.docker(fmt).stdout).toBe(realDocker(fmt).stdout);
    const hist = ['history', '--format', '{{.ID}} {{.CreatedBy}}|{{.Comment}}', 'imported:v1'];
    expect(d.docker(hist).stdout.replace(/^[0-9a-f]{12}/, 'ID')).toBe(realDocker(hist).stdout.replace(/^[0-9a-f]{12}/, 'ID'));
    expect(theirs.status).toBe(0);
  });

  it('image prune: dangling only by default, -a for unused, docker\'s report', () => {
    const untagged = d.docker(['import', path.join(tmp, 'rootfs.tar')], 60_000);
    expect(untagged.status, untagged.stderr).toBe(0);
    const id = untagged.stdout.trim();
    const p = d.docker(['image', 'prune', '-f']);
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toMatch(new RegExp(`^Deleted Images:\\ndeleted: ${id}\\n\\nTotal reclaimed space: \\S+\\n$`));
    const again = d.docker(['image', 'prune', '-f']);
    expect(again.stdout).toBe(realDocker(['image', 'prune', '-f']).stdout);
    const a = d.docker(['image', 'prune', '-a', '-f', '--filter', 'label=berth.test=pull']);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toContain(`untagged: ${images.oci.ref}`);
    expect(a.stdout).toContain(`deleted: ${images.oci.configDigest}`);
    expect(d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout.trim()).toBe('imported:v1');
  });
});
