/**
 * Container filesystem endpoints on berthd, judged by the real docker CLI 28:
 * docker diff (changes), docker export, docker cp both ways (file, dir,
 * dir/., stdout, running and stopped containers), docker commit (changes,
 * new layer, a file the container made), and the symlink escapes of
 * CVE-2018-15664: a host file the test creates is neither read nor written
 * through links or `..` names planted in the container.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { bin, busyboxRootfs, repoRoot } from '../helpers/paths.js';
import { dockerCli, sendTar, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

/** A one-entry ustar (enough for the raw PUT escape test: tar(1) refuses to write such names). */
function ustar(name: string, data: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${Buffer.byteLength(data).toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(data) / 512) * 512);
  body.write(data);
  return Buffer.concat([h, body, Buffer.alloc(1024)]);
}

describe.skipIf(!available)('container filesystems on berthd through the real docker CLI', () => {
  let d: Berthd;
  let work: string;
  const docker = (...args: string[]) => d.docker(args, 60_000);
  const ok = (...args: string[]) => {
    const r = docker(...args);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  // this berthd's temporary rootfs mounts only (their overlay options name its snapshots): another test file's berthd may be mounting its own meanwhile
  const mounts = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes('berthd-rootfs-') && l.includes(d.dir)).length;

  beforeAll(async () => {
    d = await startBerthd();
    work = path.join(d.dir, 'work');
    fs.mkdirSync(work);
    loadBusyboxImage(d);
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
  }, 120_000);

  it('docker diff lists added, changed and deleted paths in docker\'s order', () => {
    ok('run', '--name', 'differ', 'busybox', 'sh', '-c', 'echo new > /etc/new && rm /bin/rm && mkdir -p /tmp/a/b && echo x > /tmp/a/b/f');
    expect(ok('diff', 'differ')).toBe('C /bin\nD /bin/rm\nC /etc\nA /etc/new\nC /tmp\nA /tmp/a\nA /tmp/a/b\nA /tmp/a/b/f\n');
    ok('run', '--name', 'clean', 'busybox', 'true');
    expect(ok('diff', 'clean')).toBe('');
  });

  it('docker export streams the whole filesystem with the changes applied and leaves no mount behind', () => {
    const before = mounts();
    const list = runCmd('bash', ['-c', `${dockerCli} export differ | tar t`], { env: d.env, timeoutMs: 60_000 });
    expect(list.status, list.stderr).toBe(0);
    const names = list.stdout.split('\n');
    expect(names).toContain('bin/busybox');
    expect(names).toContain('etc/new');
    expect(names).toContain('tmp/a/b/f');
    expect(names).not.toContain('bin/rm');
    const out = path.join(work, 'exported.tar');
    ok('export', '-o', out, 'differ');
    const content = runCmd('tar', ['-xOf', out, 'etc/new']);
    expect(content.stdout).toBe('new\n');
    expect(mounts()).toBe(before);
  });

  it('docker cp copies files and directories out of a stopped container', () => {
    ok('cp', 'differ:/etc/new', path.join(work, 'new.txt'));
    expect(fs.readFileSync(path.join(work, 'new.txt'), 'utf8')).toBe('new\n');
    ok('cp', 'differ:/tmp/a', path.join(work, 'a-copy'));
    expect(fs.readFileSync(path.join(work, 'a-copy/b/f'), 'utf8')).toBe('x\n');
    fs.mkdirSync(path.join(work, 'contents'));
    ok('cp', 'differ:/tmp/a/.', path.join(work, 'contents'));
    expect(fs.readFileSync(path.join(work, 'contents/b/f'), 'utf8')).toBe('x\n');
    const list = runCmd('bash', ['-c', `${dockerCli} cp differ:/tmp/a - | tar t`], { env: d.env });
    expect(list.stdout.split('\n').filter(Boolean).sort()).toEqual(['a/', 'a/b/', 'a/b/f']);
    const missing = docker('cp', 'differ:/nope', work);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/Could not find the file \/nope in container differ/);
  });

  it('docker cp copies into stopped and running containers; exec sees it', () => {
    const src = path.join(work, 'in.txt');
    fs.writeFileSync(src, 'into the container\n');
    ok('cp', src, 'differ:/etc/in.txt');
    expect(runCmd('bash', ['-c', `${dockerCli} cp differ:/etc/in.txt - | tar xO`], { env: d.env }).stdout).toBe('into the container\n');
    ok('run', '-d', '--name', 'live', 'busybox', 'sleep', '300');
    ok('cp', src, 'live:/etc/');
    fs.mkdirSync(path.join(work, 'tree/sub'), { recursive: true });
    fs.writeFileSync(path.join(work, 'tree/sub/leaf'), 'leaf\n');
    ok('cp', path.join(work, 'tree'), 'live:/opt');
    expect(ok('exec', 'live', 'cat', '/etc/in.txt', '/opt/sub/leaf')).toBe('into the container\nleaf\n');
    expect(ok('inspect', '-f', '{{.State.Status}}', 'live').trim()).toBe('running');
    const changes = ok('diff', 'live').split('\n');
    expect(changes).toEqual(expect.arrayContaining(['C /etc', 'A /etc/in.txt', 'A /opt', 'A /opt/sub/leaf']));
    const exported = runCmd('bash', ['-c', `${dockerCli} export live | tar t`], { env: d.env, timeoutMs: 60_000 });
    expect(exported.stdout.split('\n')).toEqual(expect.arrayContaining(['opt/sub/leaf', 'etc/in.txt', 'bin/busybox']));
    ok('cp', 'live:/etc/passwd', path.join(work, 'passwd'));
    expect(fs.readFileSync(path.join(work, 'passwd'), 'utf8')).toMatch(/^root:/);
  });

  it('never reads or writes host files through links or .. in the container (CVE-2018-15664)', async () => {
    const secretDir = path.join(d.dir, `host-${randomBytes(4).toString('hex')}`);
    fs.mkdirSync(secretDir);
    const secret = path.join(secretDir, 'secret');
    const token = randomBytes(16).toString('hex');
    fs.writeFileSync(secret, token);
    ok('run', '--name', 'evil', 'busybox', 'sh', '-c', `ln -s / /evil && ln -s ${secret} /link && ln -s ${secretDir} /dirlink && ln -s ../../../../../../.. /up`);
    for (const c of ['evil:/evil' + secret, 'evil:/up' + secret]) {
      const r = docker('cp', c, path.join(work, 'stolen'));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/Could not find the file/);
    }
    expect(fs.existsSync(path.join(work, 'stolen'))).toBe(false);
    // the link itself comes out as a link; following it (-L) stays in the container
    ok('cp', 'evil:/link', path.join(work, 'link-copy'));
    expect(fs.lstatSync(path.join(work, 'link-copy')).isSymbolicLink()).toBe(true);
    expect(docker('cp', '-L', 'evil:/link', path.join(work, 'followed')).status).toBe(1);
    expect(fs.existsSync(path.join(work, 'followed'))).toBe(false);
    const whole = runCmd('bash', ['-c', `${dockerCli} cp evil:/evil/ - | tar t`], { env: d.env });
    expect(whole.stdout).not.toContain(path.basename(secretDir));
    // writes through the links land in the container, not on the host
    const pwned = `pwned-${token.slice(0, 8)}`;
    const src = path.join(work, pwned);
    fs.writeFileSync(src, 'pwned\n');
    const viaDir = docker('cp', src, 'evil:/dirlink/');
    expect(viaDir.status).toBe(1); // the container has no such directory
    ok('cp', src, 'evil:/evil/tmp/');
    ok('cp', src, 'evil:/up/tmp/');
    expect(fs.existsSync(`/tmp/${pwned}`)).toBe(false);
    expect(runCmd('bash', ['-c', `${dockerCli} cp evil:/tmp/${pwned} - | tar xO`], { env: d.env }).stdout).toBe('pwned\n');
    const raw = await sendTar(d.socket, 'PUT', `/containers/evil/archive?path=${encodeURIComponent('/tmp')}`, ustar(`../../../../..${secretDir}/pwned`, 'pwned\n'));
    expect(raw.status, raw.body).toBe(400);
    expect(raw.body).toMatch(/is outside of/);
    expect(fs.readdirSync(secretDir)).toEqual(['secret']);
    expect(fs.readFileSync(secret, 'utf8')).toBe(token);
  });

  it('docker commit makes an image with the container\'s changes and the new config', () => {
    ok('run', '--name', 'tocommit', 'busybox', 'sh', '-c', 'echo committed > /hello && rm /bin/rm');
    const id = ok('commit', '-c', 'CMD ["echo","hi"]', '-m', 'a message', 'tocommit', 'myimg:1').trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ok('run', '--rm', 'myimg:1')).toBe('hi\n');
    expect(ok('run', '--rm', 'myimg:1', 'cat', '/hello')).toBe('committed\n');
    expect(docker('run', '--rm', 'myimg:1', 'ls', '/bin/rm').status).not.toBe(0);
    expect(ok('image', 'inspect', '-f', '{{.Comment}} {{len .RootFS.Layers}}', 'myimg:1').trim()).toBe('a message 2');
    // a running container is paused while committed, and runs on afterwards
    ok('exec', 'live', 'sh', '-c', 'echo from-live > /live.txt');
    ok('commit', 'live', 'fromlive');
    expect(ok('inspect', '-f', '{{.State.Status}}', 'live').trim()).toBe('running');
    expect(ok('run', '--rm', 'fromlive', 'cat', '/live.txt', '/etc/in.txt')).toBe('from-live\ninto the container\n');
  });
});
