/**
 * Layers through berth-containerd's diff service, judged by the real `ctr`
 * 1.6: `ctr images import` unpacks (client side: Prepare, Diff.Apply,
 * Commit) into committed snapshots whose union is the image's root
 * filesystem, for overlayfs and native, compared file by file with what the
 * real containerd 1.6 unpacks from the same tarball; bad layers fail with
 * containerd-style errors and write nothing outside the snapshot; and
 * Diff.Apply answers the right gRPC codes over the wire.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Content, WriteAction } from '../../packages/containerd/src/gen/containerd/services/content/v1/content_pb.js';
import { Diff } from '../../packages/containerd/src/gen/containerd/services/diff/v1/diff_pb.js';
import { Snapshots } from '../../packages/containerd/src/gen/containerd/services/snapshots/v1/snapshots_pb.js';
import { getXattr, listXattrs } from '../../packages/containerd/src/diff/fsops.js';
import { tarBuffer, type WriteHeader } from '../../packages/containerd/src/diff/tarwrite.js';
import { connect, createClient } from '../../packages/containerd/src/index.js';
import { busyboxRootfs } from '../helpers/paths.js';
import { rootfsLayer, sha256 } from '../helpers/oci-image.js';
import { ctr, haveProgram, startBerthContainerd, startRealContainerd, tempDir, type Running } from './daemons.js';
import { buildLayeredImage, treeListing } from './oci-layers.js';

const isRoot = process.getuid?.() === 0;
const canRun = haveProgram('ctr') && isRoot && fs.existsSync(busyboxRootfs);
const t0 = new Date('2024-01-01T00:00:00Z');

const entry = (h: Partial<WriteHeader> & Pick<WriteHeader, 'name'>, body?: string) => ({
  header: { type: 'file' as const, mode: 0o644, mtime: t0, ...h },
  ...(body === undefined ? {} : { body: Buffer.from(body) }),
});

/** Layer 2 and 3 of the layered image: additions, whiteouts, an opaque dir, xattrs, special files, links. */
async function upperLayers(): Promise<[Buffer, Buffer]> {
  const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
  const l2 = await tarBuffer([
    entry({ name: 'etc/motd' }, 'welcome\n'),
    entry({ name: 'etc/.wh.group' }, ''),
    entry({ name: 'usr/', type: 'directory', mode: 0o755 }),
    entry({ name: 'usr/.wh..wh..opq' }, ''),
    entry({ name: 'usr/local/', type: 'directory', mode: 0o700, uid: 1000, gid: 1000 }),
    entry({ name: 'usr/local/new', mode: 0o4755 }, 'suid\n'),
    entry({ name: 'home/user/', type: 'directory', mode: 0o750, uid: 1000, gid: 100 }),
  ]);
  const l3 = await tarBuffer([
    entry({ name: 'opt/tool', mode: 0o755, xattrs: new Map([['security.capability', cap], ['trusted.berth', Buffer.from([0, 1, 2, 255])]]) }, 'tool'),
    entry({ name: 'opt/tool2', type: 'link', linkname: 'opt/tool', mode: 0o755, xattrs: new Map([['security.capability', cap], ['trusted.berth', Buffer.from([0, 1, 2, 255])]]) }),
    entry({ name: 'opt/fifo', type: 'fifo', mode: 0o600 }),
    entry({ name: 'opt/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 }),
    entry({ name: 'opt/link', type: 'symlink', mode: 0o777, linkname: '/usr/local/new' }),
    entry({ name: 'etc/.wh.motd' }, ''),
    entry({ name: 'home/user/.profile', uid: 1000, gid: 100 }, 'PS1=$ \n'),
  ]);
  return [l2, l3];
}

function xattrsOf(root: string, rel: string): string {
  const p = path.join(root, rel);
  return listXattrs(p)
    .sort()
    .map((name) => `${name}=${getXattr(p, name)?.toString('hex')}`)
    .join(' ');
}

/** Exactly `target` is a mount point (field 5 of mountinfo). */
function isMountPoint(target: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === target);
}

interface Side {
  d: Running;
  run: (...args: string[]) => ReturnType<typeof ctr>;
}

/**
 * Views `key` and mounts it with the command line ctr prints. The line comes
 * from `view -t` itself: a view carries no gc.root label, so the collector
 * may take it at once, and a later `ctr snapshots mounts` would find nothing
 * (the mount only uses the parents' directories, so it stays valid).
 */
function mountView(side: Side, sn: string, key: string, at: string, ns = 'default'): string {
  const view = `view-${crypto.randomBytes(4).toString('hex')}`;
  fs.mkdirSync(at, { recursive: true });
  const r = side.run('-n', ns, 'snapshots', '--snapshotter', sn, 'view', '-t', at, view, key);
  const line = r.stdout.trim().split(/\s+/);
  expect(line[0], r.stderr).toBe('mount');
  execFileSync('mount', line.slice(1));
  return at;
}

function committedKeys(side: Side, sn: string, ns: string): string[] {
  const out = side.run('-n', ns, 'snapshots', '--snapshotter', sn, 'ls').stdout.trim().split('\n').slice(1);
  return out.map((l) => l.trim().split(/\s+/)).map((cols) => `${cols[0]} ${cols[cols.length - 1]}`);
}

describe.skipIf(!canRun)('layers through berth-containerd (ctr images import)', () => {
  let dir: string;
  let ours: Side;
  let real: Side | undefined;
  const mounts: string[] = [];
  const chainOf = (diffIds: string[]) =>
    diffIds.reduce<string>((chain, id, i) => (i === 0 ? id : sha256(`${chain} ${id}`)), '');

  beforeAll(async () => {
    dir = tempDir('difft');
    fs.mkdirSync(path.join(dir, 'ours'));
    const d = await startBerthContainerd(path.join(dir, 'ours'));
    ours = { d, run: (...a) => ctr(d.address, a, 60_000) };
    if (haveProgram('containerd')) {
      const r = await startRealContainerd(fs.mkdtempSync(path.join(dir, 'real-')));
      real = { d: r, run: (...a) => ctr(r.address, a, 60_000) };
    }
  });

  const unmountAll = () => {
    for (const m of mounts.splice(0)) if (isMountPoint(m)) execFileSync('umount', [m]);
  };

  afterAll(async () => {
    unmountAll();
    await ours?.d.stop();
    await real?.d.stop();
    // never remove a tree with something still mounted in it
    if (!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(dir)) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const sn of ['overlayfs', 'native']) {
    it(`${sn}: busybox unpacks to committed snapshots whose union is the rootfs`, () => {
      const base = rootfsLayer(busyboxRootfs);
      const image = buildLayeredImage(`docker.io/library/busybox:${sn}`, [{ tar: base.tar }], path.join(dir, `busybox-${sn}.tar`));
      const r = ours.run('-n', sn, 'images', 'import', '--snapshotter', sn, image.file);
      expect(r.status, r.stderr).toBe(0);
      expect(committedKeys(ours, sn, sn)).toEqual([`${base.diffId} Committed`]);
      const m = mountView(ours, sn, base.diffId, path.join(dir, `mnt-${sn}`), sn);
      mounts.push(m);
      try {
        const strip = (l: string[]) => l.map((x) => x.replace(/ [\d.]+$/, '')); // tar keeps whole seconds
        expect(strip(treeListing(m))).toEqual(strip(treeListing(busyboxRootfs)));
      } finally {
        unmountAll();
      }
    });

    it(`${sn}: three layers (gzip, zstd, plain) with whiteouts, opaque dirs, xattrs, devices, links: same union as containerd 1.6`, async () => {
      const base = rootfsLayer(busyboxRootfs);
      const [l2, l3] = await upperLayers();
      const image = buildLayeredImage(
        `docker.io/library/layered:${sn}`,
        [{ tar: base.tar }, { tar: l2, compression: 'zstd' }, { tar: l3, compression: 'none' }],
        path.join(dir, `layered-${sn}.tar`),
      );
      const top = chainOf(image.diffIds);
      const sides: Array<[string, Side]> = [['ours', ours], ...(real ? ([['real', real]] as Array<[string, Side]>) : [])];
      const listings: Record<string, string[]> = {};
      try {
        for (const [name, side] of sides) {
          const r = side.run('-n', `l${sn}`, 'images', 'import', '--snapshotter', sn, image.file);
          expect(r.status, `${name}: ${r.stderr}`).toBe(0);
          expect(committedKeys(side, sn, `l${sn}`)).toHaveLength(3);
          const m = mountView(side, sn, top, path.join(dir, `layered-${sn}-${name}`), `l${sn}`);
          mounts.push(m);
          listings[name] = [...treeListing(m), `xattrs ${xattrsOf(m, 'opt/tool')}`];
          expect(fs.existsSync(path.join(m, 'etc/group'))).toBe(false);
          expect(fs.existsSync(path.join(m, 'etc/motd'))).toBe(false);
          expect(fs.readdirSync(path.join(m, 'usr'))).toEqual(['local']);
          expect(fs.statSync(path.join(m, 'usr/local/new')).mode & 0o7777).toBe(0o4755);
          expect(fs.statSync(path.join(m, 'opt/tool2')).ino).toBe(fs.statSync(path.join(m, 'opt/tool')).ino);
          expect(fs.statSync(path.join(m, 'opt/null')).rdev).toBe((1 << 8) | 3);
          expect(fs.readFileSync(path.join(m, 'bin/busybox')).length).toBeGreaterThan(100_000);
        }
        if (real) expect(listings.ours).toEqual(listings.real);
      } finally {
        unmountAll();
      }
    });
  }

  it('bad layers fail with containerd-style errors, leave no snapshot behind and write nothing outside', async () => {
    const host = fs.mkdtempSync(path.join(dir, 'host-'));
    fs.writeFileSync(path.join(host, 'secret'), 'host');
    const passwdBefore = fs.readFileSync('/etc/passwd');
    const shadowBefore = fs.statSync('/etc/shadow');
    const up = '../'.repeat(30);
    const base = await tarBuffer([entry({ name: 'etc/', type: 'directory', mode: 0o755 }), entry({ name: 'etc/hostname' }, 'base\n')]);
    const bad: Array<{ name: string; layer: Parameters<typeof buildLayeredImage>[1][number]; error: RegExp }> = [
      { name: 'escape', layer: { tar: await tarBuffer([entry({ name: `${up}${host.slice(1)}/escaped` }, 'x')]) }, error: /escapes the layer root: invalid argument/ },
      { name: 'hardlink', layer: { tar: await tarBuffer([entry({ name: 'shadow', type: 'link', linkname: '/etc/shadow' })]) }, error: /target is not a file in the layer: invalid argument/ },
      { name: 'hardlink-up', layer: { tar: await tarBuffer([entry({ name: 'shadow', type: 'link', linkname: `${up}etc/shadow` })]) }, error: /hard link target .* escapes the layer root: invalid argument/ },
      { name: 'truncated', layer: { tar: await tarBuffer([entry({ name: 'big' }, 'x'.repeat(100_000))]), mangle: (b) => b.subarray(0, b.length - 30) }, error: /unexpected EOF \(truncated compressed stream\): invalid argument/ },
      { name: 'diffid', layer: { tar: await tarBuffer([entry({ name: 'f' }, 'f')]), diffId: `sha256:${'0'.repeat(64)}` }, error: /wrong diff id calculated on extraction/ },
    ];
    for (const sn of ['overlayfs', 'native']) {
      for (const b of bad) {
        const ns = `bad-${sn}-${b.name}`;
        const image = buildLayeredImage(`docker.io/library/bad:${b.name}`, [{ tar: base }, b.layer], path.join(dir, `bad-${b.name}.tar`));
        const r = ours.run('-n', ns, 'images', 'import', '--snapshotter', sn, image.file);
        expect(r.status, `${sn} ${b.name}: ${r.stdout}`).toBe(1);
        expect(r.stderr, `${sn} ${b.name}`).toMatch(b.error);
        // nothing of the bad layer stays, not even its active snapshot; the base layer
        // may (the collector takes it once ctr's lease is gone, nothing else holds it)
        for (const k of committedKeys(ours, sn, ns)) expect(k, `${sn} ${b.name}`).toBe(`${image.diffIds[0]} Committed`);
      }
    }
    expect(fs.readdirSync(host)).toEqual(['secret']);
    expect(fs.readFileSync('/etc/passwd')).toEqual(passwdBefore);
    expect(fs.statSync('/etc/shadow').nlink).toBe(shadowBefore.nlink);

    // A symlink out of the tree is followed inside it: the later entry lands in the snapshot.
    const linkLayer = await tarBuffer([entry({ name: 'link', type: 'symlink', mode: 0o777, linkname: host }), entry({ name: 'link/pwned' }, 'layer'), entry({ name: 'etc2', type: 'symlink', mode: 0o777, linkname: '/etc' }), entry({ name: 'etc2/passwd' }, 'layer')]);
    const image = buildLayeredImage('docker.io/library/bad:symlink', [{ tar: base }, { tar: linkLayer }], path.join(dir, 'bad-symlink.tar'));
    expect(ours.run('-n', 'symlink', 'images', 'import', image.file).status).toBe(0);
    expect(fs.readdirSync(host)).toEqual(['secret']);
    expect(fs.readFileSync('/etc/passwd')).toEqual(passwdBefore);
    const m = mountView(ours, 'overlayfs', chainOf(image.diffIds), path.join(dir, 'mnt-symlink'), 'symlink');
    mounts.push(m);
    try {
      expect(fs.readFileSync(path.join(m, host, 'pwned'), 'utf8')).toBe('layer');
      expect(fs.readFileSync(path.join(m, 'etc/passwd'), 'utf8')).toBe('layer');
    } finally {
      unmountAll();
    }
  });

  it('Diff.Apply answers containerd-style gRPC codes', async () => {
    const channel = connect(ours.d.address);
    const content = createClient(Content, channel, { namespace: 'default' });
    // Written as a gc root: nothing references these blobs, and the collector runs.
    const ingest = async (data: Buffer) => {
      const digest = sha256(data);
      const total = BigInt(data.length);
      const ref = `ref-${digest.slice(7, 19)}`;
      const labels = { 'containerd.io/gc.root': 'diff-test' };
      const messages = (async function* () {
        yield { action: WriteAction.STAT, ref, total, expected: digest };
        yield { action: WriteAction.COMMIT, offset: 0n, data, total, expected: digest, labels };
      })();
      for await (const r of content.write(messages)) void r;
      return digest;
    };
    const tar = await tarBuffer([entry({ name: 'hello' }, 'hello\n')]);
    const gz = zlib.gzipSync(tar);
    try {
      const good = await ingest(gz);
      const truncated = await ingest(gz.subarray(0, gz.length - 10));
      const snapshots = createClient(Snapshots, channel, { namespace: 'default' });
      const diff = createClient(Diff, channel, { namespace: 'default' });
      const prepare = async (key: string) => (await snapshots.prepare({ snapshotter: 'overlayfs', key })).mounts;
      const apply = (digest: string, mounts: Awaited<ReturnType<typeof prepare>>, mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip') =>
        diff.apply({ diff: { mediaType, digest, size: 0n }, mounts }).then(
          (r) => r.applied,
          (e: unknown) => e as Error & { code: string },
        );

      const ok = await apply(good, await prepare('apply-ok'));
      expect(ok).toMatchObject({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(tar), size: BigInt(tar.length) });

      const t = (await apply(truncated, await prepare('apply-trunc'))) as Error & { code: string };
      expect([t.code, t.message]).toEqual(['InvalidArgument', `failed to extract layer ${truncated}: unexpected EOF (truncated compressed stream)`]);

      // bytes on disk that do not match their digest (a corrupt store)
      const blob = path.join(dir, 'ours', 'root', 'io.containerd.content.v1.content', 'blobs', 'sha256', good.slice(7));
      fs.chmodSync(blob, 0o644);
      fs.writeFileSync(blob, zlib.gzipSync(Buffer.concat([tar, Buffer.alloc(512)])));
      const c = (await apply(good, await prepare('apply-corrupt'))) as Error & { code: string };
      expect(c.code).toBe('FailedPrecondition');
      expect(c.message).toMatch(new RegExp(`^failed to verify layer ${good}: content has digest sha256:[0-9a-f]{64}$`));

      const missing = `sha256:${'a'.repeat(64)}`;
      const n = (await apply(missing, await prepare('apply-missing'))) as Error & { code: string };
      expect([n.code, n.message]).toEqual(['NotFound', `content digest ${missing}`]);

      const mt = (await apply(good, await prepare('apply-mt'), 'application/json')) as Error & { code: string };
      expect([mt.code, mt.message]).toEqual(['NotImplemented', 'failed to get stream processor for application/json: no processor for media-type']);
    } finally {
      channel.close();
    }
  });
});
