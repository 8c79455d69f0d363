/**
 * What a container may do, as docker sets it up, seen from inside through the
 * real docker CLI 28 against berthd: docker's default seccomp profile (mount
 * refused, Seccomp: 2), --privileged (no filter, mount works),
 * --security-opt seccomp=unconfined and no-new-privileges, --init (pid 1 is
 * docker-init), --ulimit; then the terminal side: run -it in a real pty,
 * detaching with ctrl-p ctrl-q, logs -f, and events.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveBinaries, runCmd, runOnPty, waitUntil } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { dockerCli } from './berthd.js';
import { berthdWithBusybox } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'script') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

describe.skipIf(!available)('container security settings and terminals on berthd', () => {
  const suite = berthdWithBusybox();
  const { ok } = suite;
  const status = (text: string, field: string) => new RegExp(`^${field}:\\s*(\\S+)`, 'm').exec(text)?.[1];

  it('applies docker\'s default seccomp profile, lifted by --privileged and seccomp=unconfined', () => {
    const confined = suite.d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'grep Seccomp: /proc/self/status; mount -t tmpfs none /tmp'], 60_000);
    expect(status(confined.stdout, 'Seccomp')).toBe('2');
    expect(confined.status).not.toBe(0);
    const privileged = ok('run', '--rm', '--privileged', 'busybox', 'sh', '-c', 'grep Seccomp: /proc/self/status; mount -t tmpfs none /tmp && echo mounted');
    expect(status(privileged, 'Seccomp')).toBe('0');
    expect(privileged).toMatch(/^mounted$/m);
    expect(status(ok('run', '--rm', '--security-opt', 'seccomp=unconfined', 'busybox', 'grep', 'Seccomp:', '/proc/self/status'), 'Seccomp')).toBe('0');
    const bad = suite.d.docker(['run', '--rm', '--security-opt', 'nonsense=1', 'busybox', 'true'], 60_000);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toMatch(/invalid --security-opt/);
  });

  it('takes a custom seccomp profile, and refuses a broken one at create', () => {
    const profile = path.join(suite.d.dir, 'no-mkdir.json');
    fs.writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }));
    const r = suite.d.docker(['run', '--rm', '--security-opt', `seccomp=${profile}`, 'busybox', 'sh', '-c', 'mkdir /tmp/x && echo made'], 60_000);
    expect(r.stderr).toMatch(/Operation not permitted/);
    expect(r.stdout).toBe('');
    const broken = path.join(suite.d.dir, 'broken.json');
    fs.writeFileSync(broken, JSON.stringify({ defaultAction: 'SCMP_ACT_BOGUS' }));
    const b = suite.d.docker(['create', '--security-opt', `seccomp=${broken}`, 'busybox', 'true'], 60_000);
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(/Decoding seccomp profile failed/);
  });

  it('sets no-new-privileges, rlimits and --init', () => {
    const out = ok('run', '--rm', '--security-opt', 'no-new-privileges', '--ulimit', 'nofile=100:200', 'busybox', 'sh', '-c', 'grep NoNewPrivs /proc/self/status; ulimit -n; ulimit -Hn');
    expect(status(out, 'NoNewPrivs')).toBe('1');
    expect(out.split('\n').slice(1, 3)).toEqual(['100', '200']);
    expect(ok('run', '--rm', '--init', 'busybox', 'cat', '/proc/1/cmdline').split('\0')[0]).toBe('/sbin/docker-init');
    const bad = suite.d.docker(['run', '--rm', '--ulimit', 'nofile=300:200', 'busybox', 'true'], 60_000);
    expect(bad.status).toBe(125);
  });

  it('runs -it on a real terminal with its size and exit code', () => {
    const r = runOnPty(['sh', '-c', `stty cols 91 rows 33; ${dockerCli} run -it --rm busybox sh -c 'tty; stty size; echo $TERM; exit 6'`], { env: suite.d.env, timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+\r?\n33 91\r?\nxterm/);
    expect(r.status).toBe(6);
  });

  it('runs exec -it on a real terminal with its size', () => {
    ok('run', '-d', '--name', 'exec-tty', 'busybox', 'sleep', '300');
    const r = runOnPty(['sh', '-c', `stty cols 77 rows 22; ${dockerCli} exec -it exec-tty sh -c 'tty; stty size; exit 3'`], { env: suite.d.env, timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+\r?\n22 77/);
    expect(r.status).toBe(3);
    ok('rm', '-f', 'exec-tty');
  });

  it('detaches from an attached terminal with ctrl-p ctrl-q and leaves the container running', async () => {
    ok('run', '-dit', '--name', 'detachable', 'busybox', 'sh');
    // the keys go in once the CLI has put the terminal in raw mode (cooked, ctrl-q is flow control)
    const r = runCmd('sh', ['-c', `(sleep 1.5; printf '\\020\\021') | script -qec '${dockerCli} attach detachable' /dev/null`], { env: suite.d.env, timeoutMs: 30_000 });
    expect(r.stdout).toMatch(/read escape sequence/);
    expect(ok('inspect', '-f', '{{.State.Running}}', 'detachable').trim()).toBe('true');
    ok('rm', '-f', 'detachable');
  });

  it('follows logs until the container stops, and reports events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    ok('run', '-d', '--name', 'chatty', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo $i; sleep 0.3; done; echo bye >&2');
    const follow = suite.d.docker(['logs', '-f', 'chatty'], 30_000);
    expect(follow.stdout).toBe('1\n2\n3\n');
    expect(follow.stderr).toBe('bye\n');
    await waitUntil(() => suite.d.docker(['inspect', '-f', '{{.State.Status}}', 'chatty']).stdout.trim() === 'exited', 10_000, 'chatty to exit');
    ok('rm', 'chatty');
    const until = Math.floor(Date.now() / 1000) + 1;
    const events = ok('events', '--since', String(since), '--until', String(until), '--filter', 'container=chatty', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}');
    expect(events.trim().split('\n')).toEqual(['container create chatty', 'container start chatty', 'container die chatty', 'container destroy chatty']);
  });
});
