/**
 * The container life cycle in berthd, judged by the real docker CLI 28: run
 * (output, exit codes, 125/126/127, --rm, -i stdin, -d), ps, logs, exec (-i,
 * exit codes, missing binary), top, stop/kill/wait/rm, inspect's State,
 * restart policies, names and id prefixes, bad input with docker's errors and
 * nothing left behind, and live restore: berthd killed with -9 while
 * containers run and write, then started again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupDirs, haveBinaries, waitUntil } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { dockerCli, request } from './berthd.js';
import { runCmd } from '../helpers/daemon.js';
import { berthdWithBusybox } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

describe.skipIf(!available)('containers on berthd through the real docker CLI', () => {
  const suite = berthdWithBusybox();
  const { docker, inspect, ok } = suite;

  it('runs a command and passes its output and exit code through', () => {
    const r = docker('run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
    expect(r.status).toBe(3);
    expect(ok('ps', '-aq')).toBe('');
  });

  it('exits 127 and 126 with docker\'s message when the command cannot run, and 125 for daemon errors', () => {
    const missing = docker('run', '--rm', 'busybox', 'no-such-binary');
    expect(missing.status).toBe(127);
    expect(missing.stderr).toMatch(/executable file not found in \$PATH/);
    const notExec = docker('run', '--rm', 'busybox', '/etc/passwd');
    expect(notExec.status).toBe(126);
    const noImage = docker('run', '--rm', '--pull', 'never', 'nosuchimage:1');
    expect(noImage.status).toBe(125);
    expect(noImage.stderr).toMatch(/No such image: nosuchimage:1/);
    const badName = docker('run', '--rm', '--name', '-bad', 'busybox', 'true');
    expect(badName.status).toBe(125);
    expect(badName.stderr).toMatch(/Invalid container name \(-bad\)/);
    expect(ok('ps', '-aq')).toBe('');
  });

  it('leaves nothing behind when create or start fails: no record, snapshot, lease, task, cgroup or mount', () => {
    const before = fs.readdirSync(path.join(suite.d.dir, 'data', 'containers'));
    const bads: string[][] = [
      ['create', '--restart', 'sometimes', 'busybox', 'true'],
      ['create', '--mount', 'type=bind,source=/no/such/dir,target=/x', 'busybox', 'true'],
      ['create', '--ulimit', 'nofile=10:5', 'busybox', 'true'],
      ['create', '--cap-add', 'NOT_A_CAP', 'busybox', 'true'],
      ['create', '--security-opt', 'seccomp={broken', 'busybox', 'true'],
      ['create', '-m', '1k', 'busybox', 'true'],
      ['run', '--rm', '-u', 'nobody-here', 'busybox', 'true'],
      ['run', '--rm', 'busybox', '/no/such/binary'],
    ];
    for (const args of bads) {
      const r = docker(...args);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim(), args.join(' ')).not.toBe('');
    }
    expect(fs.readdirSync(path.join(suite.d.dir, 'data', 'containers'))).toEqual(before);
    expect(ok('ps', '-aq')).toBe('');
    const ctrArgs = (a: string[]) => runCmd('ctr', ['--address', suite.d.containerd.address, '-n', 'moby', ...a]).stdout.trim();
    expect(ctrArgs(['snapshots', '--snapshotter', 'overlayfs', 'ls']).split('\n').filter((l) => /\bActive\b/.test(l))).toEqual([]);
    expect(ctrArgs(['leases', 'ls', '-q'])).toBe('');
    expect(ctrArgs(['tasks', 'ls', '-q'])).toBe('');
    expect(ctrArgs(['containers', 'ls', '-q'])).toBe('');
    expect(cgroupDirs(suite.d.cgroupParent).flatMap((p) => (fs.existsSync(p) ? fs.readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : []))).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(suite.d.dir);
  });

  it('gives stdin to run -i and exec -i', () => {
    const r = runCmd(dockerCli, ['run', '-i', '--rm', 'busybox', 'sh', '-c', 'cat; echo end'], { env: suite.d.env, input: 'from stdin\n', timeoutMs: 30_000 });
    expect(r.stdout).toBe('from stdin\nend\n');
    ok('run', '-d', '--name', 'stdin-target', 'busybox', 'sleep', '300');
    const x = runCmd(dockerCli, ['exec', '-i', 'stdin-target', 'tr', 'a-z', 'A-Z'], { env: suite.d.env, input: 'shout\n', timeoutMs: 30_000 });
    expect(x.stdout).toBe('SHOUT\n');
    ok('rm', '-f', 'stdin-target');
  });

  it('runs detached: ps, logs, exec, top, stop with the stop timeout, inspect\'s state', () => {
    const id = ok('run', '-d', '--name', 'ticker', '-e', 'GREETING=hi', 'busybox', 'sh', '-c', 'echo $GREETING; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done').trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(ok('ps', '--format', '{{.ID}} {{.Names}} {{.Image}} {{.State}}')).toBe(`${id.slice(0, 12)} ticker busybox running\n`);
    expect(inspect('ticker', '{{.State.Status}} {{.State.Running}} {{.Name}} {{.Config.Hostname}}')).toBe(`running true /ticker ${id.slice(0, 12)}`);
    expect(Number(inspect(id.slice(0, 8), '{{.State.Pid}}'))).toBeGreaterThan(1);
    const logs = ok('logs', 'ticker');
    expect(logs.startsWith('hi\ntick 0\n')).toBe(true);
    expect(ok('logs', '--tail', '1', 'ticker')).toMatch(/^tick \d+\n$/);
    expect(ok('logs', '-t', '--tail', '1', 'ticker')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z tick \d+\n$/);
    const x = docker('exec', 'ticker', 'sh', '-c', 'echo $GREETING from exec; exit 4');
    expect(x.stdout).toBe('hi from exec\n');
    expect(x.status).toBe(4);
    const missing = docker('exec', 'ticker', 'no-such-binary');
    expect(missing.status).toBe(127);
    expect(missing.stderr + missing.stdout).toMatch(/executable file not found/);
    const top = ok('top', 'ticker');
    expect(top.split('\n')[0]).toMatch(/^UID\s+PID\s+PPID/);
    expect(top).toMatch(/sh -c echo \$GREETING/);
    // sh as pid 1 ignores SIGTERM: stop waits -t seconds, then SIGKILL (137)
    const t0 = Date.now();
    expect(ok('stop', '-t', '1', 'ticker')).toBe('ticker\n');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(inspect('ticker', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}')).toBe('exited 137 false');
    expect(ok('ps', '-a', '--format', '{{.Status}}')).toMatch(/^Exited \(137\) /);
    expect(ok('rm', 'ticker')).toBe('ticker\n');
    const gone = docker('inspect', 'ticker');
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/No such object: ticker/);
  });

  it('kills, waits and refuses to remove a running container without -f', () => {
    ok('run', '-d', '--name', 'victim', 'busybox', 'sh', '-c', 'trap "exit 7" USR1; while true; do sleep 0.1; done');
    const rm = docker('rm', 'victim');
    expect(rm.status).toBe(1);
    expect(rm.stderr).toMatch(/cannot remove container "\/?victim": container is running: stop the container before removing or force remove/);
    const dup = docker('run', '-d', '--name', 'victim', 'busybox', 'true');
    expect(dup.status).toBe(125);
    expect(dup.stderr).toMatch(/Conflict\. The container name "\/victim" is already in use/);
    expect(ok('kill', '-s', 'USR1', 'victim')).toBe('victim\n');
    expect(ok('wait', 'victim')).toBe('7\n');
    const again = docker('kill', 'victim');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/is not running/);
    ok('rm', 'victim');
  });

  it('filters ps by name, status, exited, label and ancestor; rm -f takes a running --rm container', () => {
    const a = ok('run', '-d', '--name', 'filter-a', '--label', 'team=blue', 'busybox', 'sleep', '300').trim();
    expect(docker('run', '--name', 'filter-b', 'busybox', 'sh', '-c', 'exit 2').status).toBe(2);
    const ps = (...f: string[]) => ok('ps', '-a', '--format', '{{.Names}}', ...f.flatMap((x) => ['--filter', x])).trim().split('\n').filter(Boolean).sort();
    expect(ps('name=filter-')).toEqual(['filter-a', 'filter-b']);
    expect(ps('status=exited', 'name=filter-')).toEqual(['filter-b']);
    expect(ps('exited=2')).toEqual(['filter-b']);
    expect(ps('label=team=blue')).toEqual(['filter-a']);
    expect(ps('ancestor=busybox', 'name=filter-a')).toEqual(['filter-a']);
    expect(ps(`id=${a.slice(0, 10)}`)).toEqual(['filter-a']);
    const bad = docker('ps', '--filter', 'colour=red');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/invalid filter 'colour'/);
    ok('rm', '-f', 'filter-a', 'filter-b');
    ok('run', '-d', '--rm', '--name', 'ephemeral', 'busybox', 'sleep', '300');
    expect(ok('rm', '-f', 'ephemeral')).toBe('ephemeral\n');
    expect(ok('ps', '-aq')).toBe('');
  });

  it('applies restart policies: on-failure:N retries N times, always comes back after exiting, --rm removes', async () => {
    ok('run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo attempt; exit 1');
    await waitUntil(() => inspect('flaky', '{{.State.Status}} {{.RestartCount}}') === 'exited 2', 30_000, 'flaky to give up');
    expect(ok('logs', 'flaky')).toBe('attempt\nattempt\nattempt\n');
    ok('rm', 'flaky');
    ok('run', '-d', '--name', 'phoenix', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.3; exit 0');
    await waitUntil(() => Number(inspect('phoenix', '{{.RestartCount}}')) >= 2, 30_000, 'phoenix to restart');
    ok('stop', 'phoenix');
    const count = inspect('phoenix', '{{.RestartCount}}');
    await new Promise((r) => setTimeout(r, 1000));
    expect(inspect('phoenix', '{{.State.Status}} {{.RestartCount}}')).toBe(`exited ${count}`);
    ok('rm', 'phoenix');
    const bad = docker('run', '--rm', '--restart', 'always', 'busybox', 'true');
    expect(bad.status).toBe(125);
    expect(bad.stderr).toMatch(/conflicting options: cannot specify both --restart and --rm|can't create 'AutoRemove' container with restart policy/);
  });

  it('applies the container config: user, workdir, hostname, env, read-only root, tmpfs, bind mounts, memory and pids limits', () => {
    const host = path.join(suite.d.dir, 'shared');
    fs.mkdirSync(host);
    fs.writeFileSync(path.join(host, 'in.txt'), 'from host\n');
    const r = ok('run', '--rm', '-u', '1234:5678', '-w', '/tmp', '-h', 'boat', '--read-only', '--tmpfs', '/scratch',
      '-v', `${host}:/data`, '-m', '64m', '--pids-limit', '50', 'busybox', 'sh', '-c',
      'id -u; id -g; pwd; hostname; cat /data/in.txt; touch /x 2>/dev/null || echo ro; echo w > /scratch/f && cat /scratch/f; echo $PATH');
    expect(r).toBe('1234\n5678\n/tmp\nboat\nfrom host\nro\nw\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
    const id = ok('create', '-m', '64m', '--pids-limit', '50', 'busybox', 'sleep', '300').trim();
    ok('start', id);
    const memory = cgroupDirs(`${suite.d.cgroupParent}/${id}`).find((p) => p.includes('/memory/'));
    expect(memory).toBeDefined();
    expect(fs.readFileSync(path.join(memory ?? '', 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(64 * 1024 * 1024));
    ok('rm', '-f', id);
    expect(cgroupDirs(`${suite.d.cgroupParent}/${id}`).filter((p) => fs.existsSync(p))).toEqual([]);
  });

  it('gives docker\'s default capabilities, and drops and adds on request', () => {
    const caps = (args: string[]) => ok('run', '--rm', ...args, 'busybox', 'sh', '-c', 'grep CapBnd /proc/self/status').trim().split(/\s+/)[1];
    // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
    expect(caps([])).toBe('00000000a80425fb');
    expect(caps(['--cap-drop', 'ALL'])).toBe('0000000000000000');
    expect(caps(['--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN'])).toBe('0000000000001000');
  });

  it('keeps containers running through kill -9 of berthd (live restore): ps, logs without gaps, exec, stop', async () => {
    ok('run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'i=0; while true; do echo n$i; i=$((i+1)); sleep 0.05; done');
    ok('run', '-d', '--name', 'quitter', '--restart', 'on-failure', 'busybox', 'sh', '-c', 'sleep 1; exit 0');
    process.kill(suite.d.daemon.pid, 'SIGKILL');
    await suite.d.daemon.exited;
    await new Promise((r) => setTimeout(r, 1500));
    await suite.d.restart();
    expect(inspect('survivor', '{{.State.Status}}')).toBe('running');
    await waitUntil(() => inspect('quitter', '{{.State.Status}} {{.State.ExitCode}}') === 'exited 0', 10_000, 'quitter\'s exit to be found');
    await new Promise((r) => setTimeout(r, 300));
    const lines = ok('logs', 'survivor').trim().split('\n');
    expect(lines.length).toBeGreaterThan(30);
    lines.forEach((l, i) => expect(l).toBe(`n${i}`));
    expect(ok('exec', 'survivor', 'echo', 'still here')).toBe('still here\n');
    const waiting = request(suite.d.socket, 'POST', '/v1.45/containers/survivor/wait');
    ok('stop', '-t', '0', 'survivor');
    expect(JSON.parse((await waiting).body)).toEqual({ StatusCode: 137, Error: null });
    expect(inspect('survivor', '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 137');
    ok('rm', 'survivor', 'quitter');
  }, 90_000);
});
