import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { applyTar } from './applier.js';
import { getXattr, setXattr } from './fsops.js';
import { tarBuffer, type WriteHeader } from './tarwrite.js';

const isRoot = process.getuid?.() === 0;
const t0 = new Date('2020-01-02T03:04:05Z');

type E = { header: WriteHeader; body?: Buffer };
const dir = (name: string, mode = 0o755, extra: Partial<WriteHeader> = {}): E => ({ header: { name, type: 'directory', mode, mtime: t0, ...extra } });
const file = (name: string, data: string, mode = 0o644, extra: Partial<WriteHeader> = {}): E => ({
  header: { name, type: 'file', mode, mtime: t0, ...extra },
  body: Buffer.from(data),
});
const symlink = (name: string, linkname: string): E => ({ header: { name, type: 'symlink', mode: 0o777, linkname, mtime: t0 } });
const hardlink = (name: string, linkname: string, mode = 0o644): E => ({ header: { name, type: 'link', mode, linkname, mtime: t0 } });

async function apply(root: string, entries: E[], whiteouts: 'overlay' | 'naive' = 'naive', parents: string[] = []) {
  return applyTar(root, Readable.from([await tarBuffer(entries)]), { whiteouts, parents });
}

describe.skipIf(!isRoot)('applyTar (as root)', () => {
  let tmp: string;
  let root: string;
  let outside: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-apply-'));
    root = path.join(tmp, 'root');
    outside = path.join(tmp, 'outside');
    fs.mkdirSync(root);
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret'), 'host data');
  });

  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes files, directories, links and special files with owners, modes, times and xattrs', async () => {
    const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex'); // cap_net_raw
    const { size } = await apply(root, [
      dir('etc/', 0o755),
      file('etc/hostname', 'box\n', 0o640, { uid: 1000, gid: 1001 }),
      file('bin/su', 'x', 0o4755),
      dir('tmp/', 0o1777),
      symlink('etc/link', '../bin/su'),
      hardlink('bin/su2', 'bin/su', 0o4755), // a hard link's header carries the file's metadata
      { header: { name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3, mtime: t0 } },
      { header: { name: 'run/fifo', type: 'fifo', mode: 0o600, mtime: t0 } },
      file('bin/ping', 'p', 0o755, { xattrs: new Map([['security.capability', cap], ['user.note', Buffer.from('hi')], ['trusted.overlay.redirect', Buffer.from('/etc')]]) }),
    ]);
    expect(size).toBe(4 + 1 + 1);
    const st = fs.lstatSync(path.join(root, 'etc/hostname'));
    expect([st.uid, st.gid, st.mode & 0o7777, st.mtime.getTime()]).toEqual([1000, 1001, 0o640, t0.getTime()]);
    expect(fs.statSync(path.join(root, 'bin/su')).mode & 0o7777).toBe(0o4755);
    expect(fs.statSync(path.join(root, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(fs.statSync(path.join(root, 'etc')).mtime.getTime()).toBe(t0.getTime());
    expect(fs.readlinkSync(path.join(root, 'etc/link'))).toBe('../bin/su');
    expect(fs.statSync(path.join(root, 'bin/su2')).ino).toBe(fs.statSync(path.join(root, 'bin/su')).ino);
    const dev = fs.statSync(path.join(root, 'dev/null'));
    expect(dev.isCharacterDevice()).toBe(true);
    expect(dev.rdev).toBe((1 << 8) | 3);
    expect(fs.statSync(path.join(root, 'run/fifo')).isFIFO()).toBe(true);
    expect(getXattr(path.join(root, 'bin/ping'), 'security.capability')).toEqual(cap);
    // trusted.* never comes from a layer (it would steer overlayfs)
    expect(getXattr(path.join(root, 'bin/ping'), 'trusted.overlay.redirect')).toBeUndefined();
    expect(getXattr(path.join(root, 'bin/ping'), 'user.note')?.toString()).toBe('hi');
  });

  it('replaces what is there, merges directories and never writes through an existing symlink', async () => {
    fs.mkdirSync(path.join(root, 'keep'));
    fs.writeFileSync(path.join(root, 'keep/old'), 'old');
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'victim'));
    await apply(root, [dir('keep/', 0o700), file('keep/new', 'new'), file('victim', 'layer data')]);
    expect(fs.readFileSync(path.join(root, 'keep/old'), 'utf8')).toBe('old');
    expect(fs.statSync(path.join(root, 'keep')).mode & 0o777).toBe(0o700);
    expect(fs.lstatSync(path.join(root, 'victim')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('host data');
  });

  it('naive whiteouts delete, and an opaque marker empties the directory of what came before', async () => {
    for (const p of ['a/x', 'a/y', 'b/z']) {
      fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      fs.writeFileSync(path.join(root, p), p);
    }
    await apply(root, [file('a/new', 'n'), file('a/.wh..wh..opq', ''), file('b/.wh.z', ''), file('.wh.nothere', '')]);
    expect(fs.readdirSync(path.join(root, 'a'))).toEqual(['new']);
    expect(fs.readdirSync(path.join(root, 'b'))).toEqual([]);
  });

  it('overlay whiteouts become 0:0 devices and the opaque xattr; missing parents take the lower attributes', async () => {
    const lower = path.join(tmp, 'lower');
    fs.mkdirSync(path.join(lower, 'usr/bin'), { recursive: true, mode: 0o750 });
    fs.chmodSync(path.join(lower, 'usr'), 0o750);
    fs.chownSync(path.join(lower, 'usr'), 1000, 1000);
    setXattr(path.join(lower, 'usr'), 'trusted.overlay.opaque', Buffer.from('y'));
    await apply(root, [file('usr/bin/tool', 't'), file('etc/.wh.passwd', '', 0o644, { uid: 5 }), file('opt/.wh..wh..opq', '')], 'overlay', [lower]);
    const wh = fs.lstatSync(path.join(root, 'etc/passwd'));
    expect(wh.isCharacterDevice() && wh.rdev === 0 && wh.uid === 5).toBe(true);
    expect(getXattr(path.join(root, 'opt'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    const usr = fs.statSync(path.join(root, 'usr'));
    expect([usr.mode & 0o7777, usr.uid]).toEqual([0o750, 1000]);
    // the lower's opaque flag must not be copied up (it would hide the lower's usr/)
    expect(getXattr(path.join(root, 'usr'), 'trusted.overlay.opaque')).toBeUndefined();
  });

  it('rejects entries that climb out of the root, writing nothing outside', async () => {
    for (const name of ['../outside/escape', 'a/../../outside/escape', '/../outside/escape']) {
      const err = await apply(root, [file(name, 'x')]).catch((e: unknown) => e);
      expect(isBerthError(err, 'InvalidArgument'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/escapes the layer root/);
    }
    expect(fs.readdirSync(outside)).toEqual(['secret']);
  });

  it('makes absolute paths relative and resolves parents through symlinks inside the root', async () => {
    await apply(root, [symlink('link', '/etc'), file('link/passwd', 'layer'), symlink('up', '../../../..'), file('up/outside/secret', 'layer'), file('/abs', 'a')]);
    expect(fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8')).toBe('layer');
    expect(fs.readFileSync(path.join(root, 'outside/secret'), 'utf8')).toBe('layer');
    expect(fs.readFileSync(path.join(root, 'abs'), 'utf8')).toBe('a');
    expect(fs.readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('host data');
    expect(fs.readlinkSync(path.join(root, 'link'))).toBe('/etc');
  });

  it('refuses hard links to targets outside the tree or not in it', async () => {
    const escape = await apply(root, [hardlink('x', '../outside/secret')]).catch((e: unknown) => e);
    expect((escape as Error).message).toMatch(/hard link target .* escapes the layer root/);
    const absent = await apply(root, [hardlink('shadow', '/etc/shadow')]).catch((e: unknown) => e);
    expect(isBerthError(absent, 'InvalidArgument')).toBe(true);
    expect((absent as Error).message).toMatch(/target is not a file in the layer/);
    fs.symlinkSync(outside, path.join(root, 'out'));
    const viaLink = await apply(root, [hardlink('y', 'out/secret')]).catch((e: unknown) => e);
    expect(isBerthError(viaLink, 'InvalidArgument')).toBe(true);
    expect(fs.statSync(path.join(outside, 'secret')).nlink).toBe(1);
    // an absolute target that is in the layer is fine (tar names are archive-relative)
    await apply(root, [dir('etc/'), file('etc/shadow', 's'), hardlink('etc/shadow2', '/etc/shadow')]);
    expect(fs.statSync(path.join(root, 'etc/shadow2')).nlink).toBe(2);
  });

  it('sets directory times last, through the root even when a parent became a symlink', async () => {
    const before = fs.statSync(outside).mtime.getTime();
    await apply(root, [dir('a/'), dir('a/outside/'), symlink('a', tmp)]);
    expect(fs.statSync(outside).mtime.getTime()).toBe(before);
  });

  it('fails on a truncated tar', async () => {
    const tar = await tarBuffer([file('f', 'x'.repeat(2000))]);
    const err = await applyTar(root, Readable.from([tar.subarray(0, 1024)]), { whiteouts: 'naive' }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/Unexpected end of data/);
  });

  it('rejects whiteouts of "." and ".."', async () => {
    const err = await apply(root, [file('a/.wh...', '')]).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/invalid whiteout name/);
  });
});
