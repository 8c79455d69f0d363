/**
 * The classic builder on berthd, judged by the real docker CLI 28 with
 * DOCKER_BUILDKIT=0: a Dockerfile with ARG, ENV, WORKDIR, COPY (file, dir),
 * RUN, USER, LABEL, EXPOSE, CMD, then the image run and inspected; the cache
 * (an unchanged rebuild all `Using cache` with the same ID, a changed COPY
 * source rebuilding only from that step, --no-cache); multi-stage builds
 * with COPY --from and --target; FROM scratch; and the failures (a failing
 * RUN, an unknown instruction, a missing COPY source).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd, type CmdResult } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { startRegistry } from '../containerd/storage.js';
import { dockerCli, sendTar, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

const mainDockerfile = `# a comment
ARG BASE=busybox
FROM \${BASE}
ARG GREETING=hello
ENV APP_HOME=/srv/app \\
    MODE="built by berth"
WORKDIR \${APP_HOME}
COPY a.txt ./
COPY dir /srv/app/dir
RUN echo "$GREETING from run" > run.txt && mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
LABEL org.example.name="demo app" version=1
EXPOSE 8080 53/udp
CMD ["cat", "a.txt"]
`;

describe.skipIf(!available)('docker build (classic builder) on berthd', () => {
  let d: Berthd;
  let work: string;
  const build = (args: string[], timeoutMs = 180_000): CmdResult =>
    runCmd(dockerCli, ['build', ...args], { env: { ...d.env, DOCKER_BUILDKIT: '0' }, timeoutMs });
  const docker = (...args: string[]) => d.docker(args, 60_000);
  const ok = (...args: string[]) => {
    const r = docker(...args);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const ctx = (name: string, files: Record<string, string>): string => {
    const dir = path.join(work, name);
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), text);
    }
    return dir;
  };
  const builtId = (stdout: string): string => /Successfully built ([0-9a-f]{12})/.exec(stdout)?.[1] ?? '';

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-build-'));
    d = await startBerthd();
    loadBusyboxImage(d);
  }, 180_000);
  afterAll(async () => {
    await d?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('builds an image whose files, env, user, workdir and command are the Dockerfile\'s', () => {
    const dir = ctx('main', { Dockerfile: mainDockerfile, 'a.txt': 'file a\n', 'dir/b.txt': 'file b\n', 'dir/sub/c.txt': 'file c\n' });
    const r = build(['-t', 'demo:1', '--build-arg', 'GREETING=hi', dir]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    // the CLI's own first line, then the daemon's stream
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Sending build context to Docker daemon/);
    expect(lines[1]).toBe('Step 1/12 : ARG BASE=busybox');
    expect(lines[2]).toBe('Step 2/12 : FROM ${BASE}');
    expect(lines[3]).toMatch(/^ ---> [0-9a-f]{12}$/);
    expect(r.stdout).toContain('Step 3/12 : ARG GREETING=hello');
    expect(r.stdout).toMatch(/Step 8\/12 : RUN echo "\$GREETING from run" > run.txt && mkdir -p \/data && chown 1000:1000 \/data\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
    expect(r.stdout).toMatch(/Successfully built [0-9a-f]{12}\nSuccessfully tagged demo:1\n$/);
    expect(r.stdout).not.toContain('Using cache');

    expect(ok('run', '--rm', 'demo:1').trim()).toBe('file a');
    expect(ok('run', '--rm', 'demo:1', 'cat', 'run.txt').trim()).toBe('hi from run');
    expect(ok('run', '--rm', 'demo:1', 'cat', '/srv/app/dir/b.txt', '/srv/app/dir/sub/c.txt')).toBe('file b\nfile c\n');
    expect(ok('run', '--rm', 'demo:1', 'sh', '-c', 'echo "$(id -u):$(id -g) $(pwd) $MODE"; stat -c %u:%g /data /srv/app/a.txt').trim())
      .toBe('1000:1000 /srv/app built by berth\n1000:1000\n0:0');
    // a build arg is not part of the image's environment
    expect(ok('run', '--rm', 'demo:1', 'sh', '-c', 'echo "[$GREETING]"').trim()).toBe('[]');

    const cfg = JSON.parse(ok('image', 'inspect', '-f', '{{json .Config}}', 'demo:1')) as Record<string, unknown>;
    expect(cfg.Env).toEqual(expect.arrayContaining(['APP_HOME=/srv/app', 'MODE=built by berth']));
    expect(cfg.Labels).toEqual({ 'org.example.name': 'demo app', version: '1' });
    expect(Object.keys(cfg.ExposedPorts as object).sort()).toEqual(['53/udp', '8080/tcp']);
    expect(cfg.WorkingDir).toBe('/srv/app');
    expect(cfg.User).toBe('1000:1000');
    expect(cfg.Cmd).toEqual(['cat', 'a.txt']);
    // the RUN's container is gone
    expect(ok('ps', '-aq').trim()).toBe('');
    // the step images show with -a only, as dockerd's intermediate images
    const listed = ok('images', '--format', '{{.Repository}}:{{.Tag}}').trim().split('\n').sort();
    expect(listed).toEqual(['busybox:latest', 'demo:1']);
    expect(ok('images', '-a', '-q').trim().split('\n').length).toBeGreaterThan(listed.length);
  }, 300_000);

  it('rebuilds from the cache, and a changed COPY source rebuilds only from its step', () => {
    const dir = path.join(work, 'main');
    const first = builtId(build(['-t', 'demo:1', '--build-arg', 'GREETING=hi', dir]).stdout);
    const again = build(['-t', 'demo:1', '--build-arg', 'GREETING=hi', dir]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout.match(/ ---> Using cache/g)?.length).toBe(10);
    expect(again.stdout).not.toContain('Running in');
    expect(builtId(again.stdout)).toBe(first);

    fs.writeFileSync(path.join(dir, 'dir/b.txt'), 'file b changed\n');
    const changed = build(['-t', 'demo:2', '--build-arg', 'GREETING=hi', dir]);
    expect(changed.status, changed.stderr).toBe(0);
    const cachedSteps = changed.stdout.split('Step ').filter((s) => s.includes('Using cache')).map((s) => s.split(' ')[0]);
    expect(cachedSteps).toEqual(['3/12', '4/12', '5/12', '6/12']);
    expect(builtId(changed.stdout)).not.toBe(first);
    expect(ok('run', '--rm', 'demo:2', 'cat', 'dir/b.txt')).toBe('file b changed\n');

    const nocache = build(['--no-cache', '-t', 'demo:3', '--build-arg', 'GREETING=hi', dir]);
    expect(nocache.status, nocache.stderr).toBe(0);
    expect(nocache.stdout).not.toContain('Using cache');
    expect(builtId(nocache.stdout)).not.toBe(builtId(changed.stdout));
  }, 300_000);

  it('builds multi-stage Dockerfiles with COPY --from and --target', () => {
    const dir = ctx('multi', {
      Dockerfile: [
        'FROM busybox AS maker',
        'RUN mkdir /out && echo made > /out/thing && echo other > /out/other',
        'FROM busybox AS tester',
        'RUN echo tested > /tested',
        'FROM scratch',
        'COPY --from=maker /out/thing /thing',
        'COPY --from=busybox /bin/busybox /bin/busybox',
        'CMD ["/bin/busybox", "cat", "/thing"]',
        '',
      ].join('\n'),
    });
    const r = build(['-t', 'multi:1', dir]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Step 5/8 : FROM scratch\n ---> \n');
    expect(ok('run', '--rm', 'multi:1').trim()).toBe('made');
    expect(docker('run', '--rm', 'multi:1', '/bin/busybox', 'ls', '/out').status).not.toBe(0);

    const t = build(['-t', 'multi:tester', '--target', 'tester', dir]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toContain('Step 4/4 : RUN echo tested > /tested');
    expect(t.stdout).not.toContain('FROM scratch');
    expect(ok('run', '--rm', 'multi:tester', 'cat', '/tested').trim()).toBe('tested');
    expect(build(['--target', 'nope', dir]).stderr).toContain('failed to reach build target nope in Dockerfile');
  }, 300_000);

  it('builds FROM scratch with COPY alone', () => {
    const dir = ctx('scratch', { Dockerfile: 'FROM scratch\nCOPY hello.txt /\nCOPY sub/ /etc/sub/\n', 'hello.txt': 'hi\n', 'sub/x': 'x\n' });
    const r = build(['-t', 'scr:1', dir]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const cid = ok('create', 'scr:1', 'none').trim();
    expect(ok('cp', `${cid}:/hello.txt`, '-')).toContain('hi\n');
    expect(ok('cp', `${cid}:/etc/sub/x`, '-')).toContain('x\n');
    ok('rm', cid);
  }, 300_000);

  it('pulls the FROM image again with --pull (docker build and berth build), and uses the local one without', async () => {
    const reg = await startRegistry(fs.mkdtempSync(path.join(work, 'reg-')));
    try {
      const base = `${reg.host}/base:1`;
      const berthBuild = (args: string[]) => runCmd(bin('berth'), ['build', ...args], { env: d.env, timeoutMs: 180_000 });
      // the registry's base:1 has /marker; the local base:1 (plain busybox) has not
      const cid = ok('create', 'busybox', 'true').trim();
      expect(runCmd('sh', ['-c', `echo v2 > ${path.join(work, 'marker')}`]).status).toBe(0);
      ok('cp', path.join(work, 'marker'), `${cid}:/marker`);
      ok('commit', cid, base);
      ok('rm', cid);
      ok('push', base);
      ok('tag', 'busybox:latest', base);
      const dir = ctx('pull', { Dockerfile: `FROM ${base}\nRUN cat /marker 2>/dev/null || echo no-marker\n` });
      const local = build(['--no-cache', dir]);
      expect(local.status, local.stderr).toBe(0);
      expect(local.stdout).toContain('no-marker');
      const pulled = build(['--pull', '--no-cache', dir]);
      expect(pulled.status, pulled.stderr).toBe(0);
      expect(pulled.stdout).toContain('1: Pulling from base');
      expect(pulled.stdout).toMatch(/\nv2\n/);
      ok('tag', 'busybox:latest', base);
      const viaBerth = berthBuild(['--pull', '--no-cache', dir]);
      expect(viaBerth.status, viaBerth.stderr).toBe(0);
      expect(viaBerth.stdout).toContain(`Status: Downloaded newer image for ${base}`);
      expect(viaBerth.stdout).toMatch(/\nv2\n/);
    } finally {
      await reg.stop();
    }
  }, 300_000);

  it('fails a build with a failing RUN, an unknown instruction, a missing COPY source or a context path out of the context', async () => {
    const before = ok('ps', '-aq');
    const run = build([ctx('fail-run', { Dockerfile: 'FROM busybox\nRUN echo about to fail && false\n' })]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('about to fail\n');
    expect(run.stderr + run.stdout).toContain("The command '/bin/sh -c echo about to fail && false' returned a non-zero code: 1");
    expect(ok('ps', '-aq')).toBe(before);

    const unknown = build([ctx('fail-parse', { Dockerfile: 'FROM busybox\nENV A=b\nFOO bar\n' })]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('dockerfile parse error line 3: unknown instruction: FOO');

    const missing = build([ctx('fail-copy', { Dockerfile: 'FROM busybox\nCOPY missing.txt /\n' })]);
    expect(missing.status).toBe(1);
    expect(missing.stderr + missing.stdout).toContain('COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist');

    // a context tar with an entry that climbs out (no docker CLI sends one: raw API), refused before anything is written
    const raw = path.join(work, 'raw');
    fs.mkdirSync(path.join(raw, 'ctx'), { recursive: true });
    fs.writeFileSync(path.join(raw, 'evil'), 'x\n');
    fs.writeFileSync(path.join(raw, 'ctx', 'Dockerfile'), 'FROM busybox\nCOPY . /\n');
    expect(runCmd('tar', ['-C', path.join(raw, 'ctx'), '-cPf', path.join(raw, 'c.tar'), 'Dockerfile', '../evil']).status).toBe(0);
    const res = await sendTar(d.socket, 'POST', '/build?t=evil:1', fs.readFileSync(path.join(raw, 'c.tar')));
    expect(res.status).toBe(400);
    expect(res.body).toContain('invalid path in the build context: ../evil');
    expect(ok('images', '-q', 'evil:1').trim()).toBe('');
  }, 300_000);

  it('runs SHELL, COPY --chown with a glob, ADD of a tar, VOLUME, STOPSIGNAL, HEALTHCHECK, ENTRYPOINT and ONBUILD', () => {
    const dir = ctx('extras', {
      Dockerfile: [
        'FROM busybox',
        'SHELL ["/bin/sh", "-ec"]',
        'RUN echo "$0 $-" > /shell.txt',
        'COPY --chown=1000:1000 x*.conf /conf/',
        'ADD arch.tar.gz /unpacked/',
        'VOLUME /data',
        'STOPSIGNAL SIGINT',
        'HEALTHCHECK --interval=5s --retries=2 CMD true',
        'ENTRYPOINT ["echo", "entry"]',
        'CMD ["default"]',
        'ONBUILD RUN echo triggered > /trigger.txt',
        '',
      ].join('\n'),
      'x1.conf': '1\n', 'x2.conf': '2\n', 'y.conf': 'no\n', 'inner/file.txt': 'inner\n',
    });
    const tar = runCmd('tar', ['-czf', path.join(dir, 'arch.tar.gz'), '-C', dir, 'inner']);
    expect(tar.status, tar.stderr).toBe(0);
    const r = build(['-t', 'extras:1', dir]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(ok('run', '--rm', 'extras:1').trim()).toBe('entry default');
    expect(ok('run', '--rm', '--entrypoint', 'sh', 'extras:1', '-c', 'cat /shell.txt; stat -c "%u:%g %n" /conf/*; cat /unpacked/inner/file.txt'))
      .toMatch(/^\/bin\/sh \S*e\S*\n1000:1000 \/conf\/x1.conf\n1000:1000 \/conf\/x2.conf\ninner\n$/);
    const cfg = JSON.parse(ok('image', 'inspect', '-f', '{{json .Config}}', 'extras:1')) as Record<string, unknown>;
    expect(cfg.Shell).toEqual(['/bin/sh', '-ec']);
    expect(cfg.Volumes).toEqual({ '/data': {} });
    expect(cfg.StopSignal).toBe('SIGINT');
    expect(cfg.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 5_000_000_000, Retries: 2 });
    expect(cfg.Entrypoint).toEqual(['echo', 'entry']);
    expect(cfg.OnBuild).toEqual(['RUN echo triggered > /trigger.txt']);

    const child = build(['-t', 'extras:child', ctx('extras-child', { Dockerfile: 'FROM extras:1\nLABEL child=1\n' })]);
    expect(child.status, child.stderr + child.stdout).toBe(0);
    expect(child.stdout).toContain('Step 1/2 : FROM extras:1\n# Executing 1 build trigger\n');
    expect(ok('run', '--rm', '--entrypoint', 'cat', 'extras:child', '/trigger.txt')).toBe('triggered\n');
    expect(ok('image', 'inspect', '-f', '{{json .Config.OnBuild}}', 'extras:child').trim()).toBe('null');
  }, 300_000);

  describe('berth build', () => {
    const berth = (args: string[]): CmdResult => runCmd(bin('berth'), ['build', ...args], { env: d.env, timeoutMs: 180_000 });
    const sameIds = (s: string) => s.replace(/daemon\s+[\d.]+k?B/, 'daemon <size>');

    it('prints what docker build prints for the same (cached) build', () => {
      const dir = path.join(work, 'main');
      const want = build(['-t', 'demo:1', '--build-arg', 'GREETING=hi', dir]);
      const got = berth(['-t', 'demo:1', '--build-arg', 'GREETING=hi', dir]);
      expect(got.status, got.stderr).toBe(0);
      expect(sameIds(got.stdout)).toBe(sameIds(want.stdout));
      const quiet = berth(['-q', '--build-arg', 'GREETING=hi', dir]);
      expect(quiet.stdout).toBe(`${ok('image', 'inspect', '-f', '{{.Id}}', 'demo:1').trim()}\n`);
    }, 300_000);

    it('honours .dockerignore, -f, --build-arg, --label and --target', () => {
      const dir = ctx('berth', {
        'build/app.Dockerfile': 'FROM busybox AS one\nARG V=default\nCOPY . /ctx/\nRUN echo "$V" > /v\nFROM one AS two\nRUN echo two > /two\n',
        '.dockerignore': '*.secret\nignored/\n!ignored/keep.txt\n',
        'a.txt': 'a\n', 'b.secret': 'no\n', 'ignored/x': 'no\n', 'ignored/keep.txt': 'kept\n',
      });
      const r = berth(['-t', 'bb:1', '-f', path.join(dir, 'build/app.Dockerfile'), '--build-arg', 'V=given', '--label', 'made.by=berth', '--target', 'one', dir]);
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toContain('Step 5/5 : LABEL made.by=berth');
      expect(ok('run', '--rm', 'bb:1', 'sh', '-c', 'cd /ctx && find . -type f | sort && cat /v')).toBe('./.dockerignore\n./a.txt\n./build/app.Dockerfile\n./ignored/keep.txt\ngiven\n');
      expect(ok('image', 'inspect', '-f', '{{json .Config.Labels}}', 'bb:1').trim()).toBe('{"made.by":"berth"}');
      // a Dockerfile outside the context travels with it under another name
      const outside = path.join(work, 'outside.Dockerfile');
      fs.writeFileSync(outside, 'FROM busybox\nCOPY a.txt /\n');
      const o = berth(['-t', 'bb:2', '-f', outside, dir]);
      expect(o.status, o.stderr).toBe(0);
      expect(ok('run', '--rm', 'bb:2', 'cat', '/a.txt')).toBe('a\n');
    }, 300_000);

    it('ends with the daemon\'s error and its code', () => {
      const r = berth([ctx('berth-fail', { Dockerfile: 'FROM busybox\nRUN exit 7\n' })]);
      expect(r.status).toBe(7);
      expect(r.stderr).toContain("The command '/bin/sh -c exit 7' returned a non-zero code: 7");
      const p = berth([ctx('berth-parse', { Dockerfile: 'FROM busybox\nNOPE x\n' })]);
      expect(p.status).toBe(1);
      expect(p.stderr).toContain('Error response from daemon: dockerfile parse error line 2: unknown instruction: NOPE');
    }, 300_000);
  });
});
