/**
 * Volumes with the local driver in berthd, judged by the real docker CLI 28:
 * volume create/ls/inspect/rm/prune (labels, filters), docker's 400 for bad
 * names and 409 for a volume in use, a named volume shared by two
 * containers, copy-up of the image's content (and not with nocopy),
 * anonymous volumes from `-v /path` and the image's VOLUME (removed by rm -v
 * and --rm, kept by plain rm), --volumes-from, inspect's .Mounts, events,
 * and data that survives container removal and a kill -9 of berthd.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { bin, busyboxRootfs, repoRoot } from '../helpers/paths.js';
import { dockerCli, request, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

describe.skipIf(!available)('volumes on berthd through the real docker CLI', () => {
  let d: Berthd;
  const docker = (...args: string[]) => d.docker(args, 60_000);
  const ok = (...args: string[]) => {
    const r = docker(...args);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const volumes = () => ok('volume', 'ls', '-q').trim().split('\n').filter(Boolean).sort();
  const dataRoot = () => path.join(d.dir, 'data');

  beforeAll(async () => {
    d = await startBerthd();
    loadBusyboxImage(d);
  }, 120_000);

  afterAll(async () => {
    if (d) {
      const ids = docker('ps', '-aq').stdout.split('\n').filter(Boolean);
      if (ids.length > 0) docker('rm', '-f', ...ids);
      const vols = docker('volume', 'ls', '-q').stdout.split('\n').filter(Boolean);
      if (vols.length > 0) docker('volume', 'rm', '-f', ...vols);
      await d.stop();
    }
  }, 120_000);

  it('creates, lists, inspects, filters and removes volumes', async () => {
    expect(ok('volume', 'create', 'alpha').trim()).toBe('alpha');
    expect(ok('volume', 'create', '--label', 'tier=db', '--label', 'keep', 'beta').trim()).toBe('beta');
    // create is idempotent
    expect(ok('volume', 'create', 'alpha').trim()).toBe('alpha');
    const [v] = JSON.parse(ok('volume', 'inspect', 'beta')) as Record<string, unknown>[];
    expect(v).toMatchObject({ Driver: 'local', Name: 'beta', Scope: 'local', Labels: { tier: 'db', keep: '' }, Mountpoint: path.join(dataRoot(), 'volumes/beta/_data') });
    expect(Object.keys(v ?? {}).sort()).toEqual(['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    expect(String(v?.CreatedAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    expect(fs.statSync(path.join(dataRoot(), 'volumes/beta/_data')).isDirectory()).toBe(true);
    const ls = ok('volume', 'ls').trim().split('\n');
    expect(ls[0]).toMatch(/^DRIVER\s+VOLUME NAME$/);
    expect(ls.slice(1).map((l) => l.split(/\s+/))).toEqual(expect.arrayContaining([['local', 'alpha'], ['local', 'beta']]));
    expect(ok('volume', 'ls', '-q', '--filter', 'label=tier=db').trim()).toBe('beta');
    expect(ok('volume', 'ls', '-q', '--filter', 'label=keep').trim()).toBe('beta');
    expect(ok('volume', 'ls', '-q', '--filter', 'name=alp').trim()).toBe('alpha');
    expect(ok('volume', 'ls', '-q', '--filter', 'driver=local').trim().split('\n').sort()).toEqual(['alpha', 'beta']);
    expect(ok('volume', 'ls', '-q', '--filter', 'dangling=true').trim().split('\n').sort()).toEqual(['alpha', 'beta']);
    expect(ok('volume', 'inspect', '-f', '{{.Name}} {{.Driver}}', 'alpha').trim()).toBe('alpha local');
    // the raw API: 201 on create, 404 for a missing one, a driver that does not exist
    const missing = await request(d.socket, 'GET', '/v1.45/volumes/nope');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ message: 'get nope: no such volume' });
    const r = docker('volume', 'inspect', 'nope');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no such volume');
    const plugin = docker('volume', 'create', '-d', 'nfsplugin', 'gamma');
    expect(plugin.status).toBe(1);
    expect(plugin.stderr).toContain('plugin "nfsplugin" not found');
    expect(ok('volume', 'rm', 'alpha', 'beta').trim().split('\n')).toEqual(['alpha', 'beta']);
    expect(volumes()).toEqual([]);
    expect(fs.existsSync(path.join(dataRoot(), 'volumes/alpha'))).toBe(false);
    expect(docker('volume', 'rm', 'alpha').status).toBe(1);
    expect(docker('volume', 'rm', '-f', 'alpha').status).toBe(0);
  });

  it('refuses bad names with docker\'s 400s', async () => {
    const short = docker('volume', 'create', 'a');
    expect(short.status).toBe(1);
    expect(short.stderr.trim()).toBe('Error response from daemon: create a: volume name is too short, names should be at least two alphanumeric characters');
    const bad = docker('volume', 'create', 'bad name!');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('Error response from daemon: create bad name!: "bad name!" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
    const leading = docker('volume', 'create', '_x1');
    expect(leading.status).toBe(1);
    expect(leading.stderr).toContain('includes invalid characters for a local volume name');
    const run = docker('run', '--rm', '-v', 'x@y:/data', 'busybox', 'true');
    expect(run.status).toBe(125);
    expect(run.stderr).toContain('"x@y" includes invalid characters for a local volume name');
    const raw = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = JSON.stringify({ Name: 'z' });
      const req = http.request({ socketPath: d.socket, method: 'POST', path: '/v1.45/volumes/create', headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(raw.status).toBe(400);
    expect(volumes()).toEqual([]);
  });

  it('shares a named volume between containers, made on first use, and keeps it after they go; 409 while used', () => {
    ok('run', '--name', 'writer', '-v', 'shared:/data', 'busybox', 'sh', '-c', 'echo hello > /data/greeting');
    expect(volumes()).toEqual(['shared']);
    ok('run', '-d', '--name', 'reader', '-v', 'shared:/mnt:ro', 'busybox', 'sleep', '60');
    expect(ok('exec', 'reader', 'cat', '/mnt/greeting')).toBe('hello\n');
    const ro = docker('exec', 'reader', 'sh', '-c', 'echo x > /mnt/other');
    expect(ro.status).not.toBe(0);
    expect(ro.stderr).toMatch(/Read-only file system/);
    const mounts = JSON.parse(ok('inspect', '-f', '{{json .Mounts}}', 'reader')) as unknown[];
    expect(mounts).toEqual([{ Type: 'volume', Name: 'shared', Source: path.join(dataRoot(), 'volumes/shared/_data'), Destination: '/mnt', Driver: 'local', Mode: 'ro', RW: false, Propagation: '' }]);
    const ids = ['writer', 'reader'].map((n) => ok('inspect', '-f', '{{.Id}}', n).trim());
    const inUse = docker('volume', 'rm', 'shared');
    expect(inUse.status).toBe(1);
    expect(inUse.stderr).toContain('remove shared: volume is in use - [');
    for (const id of ids) expect(inUse.stderr).toContain(id);
    // force does not take a volume from its containers either
    expect(docker('volume', 'rm', '-f', 'shared').status).toBe(1);
    expect(ok('volume', 'ls', '-q', '--filter', 'dangling=false').trim()).toBe('shared');
    // system df: the volume's size (the 6 bytes of the greeting) and its two users
    const df = ok('system', 'df', '-v', '--format', '{{json .Volumes}}');
    expect(JSON.parse(df)).toEqual([expect.objectContaining({ Name: 'shared', Links: '2', Size: '6B' })]);
    expect(ok('system', 'df').split('\n').find((l) => l.startsWith('Local Volumes'))).toMatch(/^Local Volumes\s+1\s+1\s+6B\s+0B \(0%\)$/);
    ok('rm', '-f', '-v', 'writer', 'reader');
    // named volumes outlive rm -v
    expect(volumes()).toEqual(['shared']);
    expect(ok('run', '--rm', '--mount', 'type=volume,source=shared,target=/srv', 'busybox', 'cat', '/srv/greeting')).toBe('hello\n');
    ok('volume', 'rm', 'shared');
  });

  it('copies the image\'s content into an empty volume, keeping owners, modes and links, and not with nocopy', () => {
    ok('run', '--name', 'cp1', '-v', 'etcvol:/etc', 'busybox', 'true');
    const data = path.join(dataRoot(), 'volumes/etcvol/_data');
    const image = busyboxRootfs;
    for (const f of fs.readdirSync(path.join(image, 'etc'))) {
      if (['hosts', 'hostname', 'resolv.conf'].includes(f)) continue;
      const src = fs.lstatSync(path.join(image, 'etc', f));
      const dst = fs.lstatSync(path.join(data, f));
      expect({ f, mode: dst.mode, uid: dst.uid, gid: dst.gid, link: dst.isSymbolicLink() }).toEqual({ f, mode: src.mode, uid: src.uid, gid: src.gid, link: src.isSymbolicLink() });
      if (src.isSymbolicLink()) expect(fs.readlinkSync(path.join(data, f))).toBe(fs.readlinkSync(path.join(image, 'etc', f)));
    }
    expect(fs.readFileSync(path.join(data, 'passwd'), 'utf8')).toBe(fs.readFileSync(path.join(image, 'etc/passwd'), 'utf8'));
    // not copied again into a volume that has content
    ok('run', '--rm', '-v', 'etcvol:/etc', 'busybox', 'rm', '/etc/group');
    ok('run', '--rm', '-v', 'etcvol:/etc', 'busybox', 'true');
    expect(fs.existsSync(path.join(data, 'group'))).toBe(false);
    // a symlink of the image met on the way stays inside the image
    ok('run', '--name', 'linker', 'busybox', 'sh', '-c', 'mkdir -p /srv/real && echo inside > /srv/real/f && ln -s / /srv/escape && ln -s /srv/real /linkdir');
    ok('commit', 'linker', 'linkimg:1');
    ok('run', '--rm', '-v', 'linkvol:/linkdir', 'linkimg:1', 'true');
    expect(fs.readdirSync(path.join(dataRoot(), 'volumes/linkvol/_data'))).toEqual(['f']);
    ok('run', '--rm', '-v', 'escvol:/srv', 'linkimg:1', 'true');
    expect(fs.readlinkSync(path.join(dataRoot(), 'volumes/escvol/_data/escape'))).toBe('/');
    // nocopy: the volume stays empty
    ok('run', '--rm', '--mount', 'type=volume,source=nocopyvol,target=/etc,volume-nocopy', 'busybox', 'true');
    expect(fs.readdirSync(path.join(dataRoot(), 'volumes/nocopyvol/_data'))).toEqual([]);
    ok('rm', 'cp1', 'linker');
    ok('rmi', 'linkimg:1');
    ok('volume', 'rm', 'etcvol', 'linkvol', 'escvol', 'nocopyvol');
  });

  it('makes anonymous volumes for -v /path and the image\'s VOLUME; rm -v and --rm remove them, rm keeps them', () => {
    ok('run', '--name', 'anon', '-v', '/data', 'busybox', 'sh', '-c', 'echo kept > /data/f');
    const [m] = JSON.parse(ok('inspect', '-f', '{{json .Mounts}}', 'anon')) as { Name: string; Type: string; Source: string; Destination: string; Driver: string; RW: boolean }[];
    expect(m).toMatchObject({ Type: 'volume', Destination: '/data', Driver: 'local', RW: true });
    expect(m?.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readFileSync(path.join(m?.Source ?? '', 'f'), 'utf8')).toBe('kept\n');
    expect(JSON.parse(ok('volume', 'inspect', '-f', '{{json .Labels}}', m?.Name ?? ''))).toEqual({ 'com.docker.volume.anonymous': '' });
    ok('rm', 'anon');
    expect(volumes()).toEqual([m?.Name]);
    // the image's VOLUME, with the image's content at that path
    ok('run', '--name', 'base', 'busybox', 'sh', '-c', 'mkdir -p /srv && echo from-image > /srv/seed');
    ok('commit', '-c', 'VOLUME ["/srv"]', 'base', 'volimg:1');
    expect(ok('run', '--name', 'withvol', 'volimg:1', 'cat', '/srv/seed')).toBe('from-image\n');
    const name = ok('inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'withvol').trim();
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    ok('rm', '-v', 'withvol');
    expect(volumes()).toEqual([m?.Name]);
    // --rm takes its anonymous volumes with it, not the named ones
    ok('run', '--rm', '-v', 'named-keep:/n', 'volimg:1', 'sh', '-c', 'ls /srv');
    expect(volumes()).toEqual([m?.Name, 'named-keep'].sort());
    // prune: only anonymous volumes by default, every unused one with --all
    const pruned = ok('volume', 'prune', '-f');
    expect(pruned).toContain(m?.Name);
    expect(pruned).toMatch(/Total reclaimed space: \d/);
    expect(volumes()).toEqual(['named-keep']);
    ok('volume', 'create', '--label', 'purpose=test', 'labelled');
    expect(ok('volume', 'prune', '-f', '--all', '--filter', 'label=purpose=test')).toContain('labelled');
    expect(volumes()).toEqual(['named-keep']);
    expect(ok('volume', 'prune', '-f', '--all')).toContain('named-keep');
    expect(volumes()).toEqual([]);
    ok('rm', 'base');
    ok('rmi', 'volimg:1');
  });

  it('takes another container\'s volumes with --volumes-from, read-only on request', () => {
    ok('run', '--name', 'source', '-v', 'fromvol:/shared', '-v', '/anon', 'busybox', 'sh', '-c', 'echo one > /shared/a; echo two > /anon/b');
    expect(ok('run', '--rm', '--volumes-from', 'source', 'busybox', 'cat', '/shared/a', '/anon/b')).toBe('one\ntwo\n');
    const ro = docker('run', '--rm', '--volumes-from', 'source:ro', 'busybox', 'sh', '-c', 'touch /shared/x');
    expect(ro.status).not.toBe(0);
    expect(ro.stderr).toMatch(/Read-only file system/);
    ok('create', '--name', 'heir', '--volumes-from', 'source', 'busybox', 'true');
    const heir = (JSON.parse(ok('inspect', '-f', '{{json .Mounts}}', 'heir')) as { Destination: string; Type: string }[]).map((x) => `${x.Type}:${x.Destination}`).sort();
    expect(heir).toEqual(['volume:/anon', 'volume:/shared']);
    // (--pull never: the CLI takes any 404 of create for a missing image and would pull)
    const missing = docker('run', '--rm', '--pull', 'never', '--volumes-from', 'nobody', 'busybox', 'true');
    expect(missing.status).toBe(125);
    expect(missing.stderr).toContain('No such container: nobody');
    // the anonymous volume stays while the heir uses it
    ok('rm', '-v', 'source');
    expect(volumes().length).toBe(2);
    ok('rm', '-v', 'heir');
    expect(volumes()).toEqual(['fromvol']);
    ok('volume', 'rm', 'fromvol');
  });

  it('mounts a local volume made with type/device/o options, and refuses unknown options', () => {
    ok('volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m,mode=0750', 'tmpvol');
    expect(JSON.parse(ok('volume', 'inspect', '-f', '{{json .Options}}', 'tmpvol'))).toEqual({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m,mode=0750' });
    const line = ok('run', '--rm', '-v', 'tmpvol:/t', 'busybox', 'sh', '-c', 'grep " /t " /proc/mounts').trim();
    expect(line).toMatch(/^tmpfs \/t tmpfs rw,.*size=1024k,mode=750/);
    const bad = docker('volume', 'create', '-o', 'foo=bar', 'optvol');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('Error response from daemon: create optvol: invalid option: "foo"');
    const half = docker('volume', 'create', '-o', 'device=/dev/null', 'optvol');
    expect(half.stderr.trim()).toBe('Error response from daemon: create optvol: missing required option: "type"');
    ok('volume', 'rm', 'tmpvol');
    expect(volumes()).toEqual([]);
  });

  it('reports volume events', () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    ok('volume', 'create', 'evvol');
    ok('run', '--rm', '-v', 'evvol:/e', 'busybox', 'true');
    ok('volume', 'rm', 'evvol');
    const until = Math.floor(Date.now() / 1000) + 1;
    const out = ok('events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--format', '{{.Action}} {{.Actor.ID}}');
    expect(out.trim().split('\n').filter((l) => l.endsWith(' evvol'))).toEqual(['create evvol', 'mount evvol', 'unmount evvol', 'destroy evvol']);
  });

  it('keeps volumes and their data across a kill -9 and restart of berthd', async () => {
    ok('volume', 'create', '--label', 'a=b', 'durable');
    ok('run', '--name', 'keeper', '-v', 'durable:/d', '-v', '/anon', 'busybox', 'sh', '-c', 'echo persisted > /d/file');
    const anon = ok('inspect', '-f', '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}', 'keeper').trim();
    process.kill(d.daemon.pid, 'SIGKILL');
    await d.daemon.exited;
    await d.restart();
    expect(volumes()).toEqual([anon, 'durable'].sort());
    expect(ok('volume', 'inspect', '-f', '{{json .Labels}}', 'durable').trim()).toBe('{"a":"b"}');
    expect(docker('volume', 'rm', 'durable').status).toBe(1);
    expect(ok('start', '-a', 'keeper')).toBe('');
    expect(ok('run', '--rm', '-v', 'durable:/d', 'busybox', 'cat', '/d/file')).toBe('persisted\n');
    ok('rm', '-v', 'keeper');
    expect(volumes()).toEqual(['durable']);
    ok('volume', 'rm', 'durable');
  }, 90_000);
});
