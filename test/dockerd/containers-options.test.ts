/**
 * More of docker's container options on berthd, through the real docker CLI
 * 28 and the raw API: network none and host, the stop signal, the default
 * PATH for an image without one, CPU limits in the cgroup, json-file log
 * rotation, wait conditions, and live restore with both berthd and
 * berth-containerd killed with -9 (a policy container that exited meanwhile
 * is restarted).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupDirs, haveBinaries, runCmd, waitUntil } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { dockerCli, request } from './berthd.js';
import { berthdWithBusybox } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

describe.skipIf(!available)('container options on berthd', () => {
  const suite = berthdWithBusybox();
  const { inspect, ok } = suite;

  it('gives --network none only a loopback and --network host the host\'s interfaces and name', () => {
    expect(ok('run', '--rm', '--network', 'none', 'busybox', 'ls', '/sys/class/net').split('\n').filter(Boolean)).toEqual(['lo']);
    // other test files running beside this one add and remove links: every link there before and after must show inside
    const before = new Set(fs.readdirSync('/sys/class/net'));
    const inside = ok('run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net').split('\n').filter(Boolean);
    const after = new Set(fs.readdirSync('/sys/class/net'));
    expect(inside).toEqual(expect.arrayContaining([...before].filter((l) => after.has(l))));
    expect(ok('run', '--rm', '--network', 'host', 'busybox', 'hostname').trim()).toBe(os.hostname());
    const created = ok('create', '--network', 'none', 'busybox', 'true').trim();
    expect(inspect(created, '{{.HostConfig.NetworkMode}}')).toBe('none');
    ok('rm', created);
    const bad = suite.d.docker(['run', '--rm', '--network', 'no-such-net', 'busybox', 'true']);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toMatch(/network no-such-net not found/);
  });

  it('renames, pauses, unpauses and restarts; honours --stop-timeout and --mount', async () => {
    const host = path.join(suite.d.dir, 'mnt-src');
    fs.mkdirSync(host);
    fs.writeFileSync(path.join(host, 'f'), 'mounted\n');
    ok('run', '-d', '--name', 'first', '--stop-timeout', '1', '--mount', `type=bind,source=${host},target=/m,readonly`, '--mount', 'type=tmpfs,target=/t', 'busybox', 'sh', '-c', 'cat /m/f; touch /m/x 2>/dev/null || echo ro; grep -c " /t tmpfs" /proc/mounts; sleep 300');
    ok('rename', 'first', 'second');
    expect(inspect('second', '{{.Name}} {{.Config.StopTimeout}}')).toBe('/second 1');
    expect(suite.d.docker(['inspect', 'first']).status).toBe(1);
    ok('pause', 'second');
    expect(inspect('second', '{{.State.Status}} {{.State.Paused}}')).toBe('paused true');
    expect(ok('ps', '--format', '{{.Status}}')).toMatch(/\(Paused\)/);
    const exec = suite.d.docker(['exec', 'second', 'true']);
    expect(exec.status).not.toBe(0);
    expect(exec.stderr).toMatch(/is paused, unpause the container before exec/);
    ok('unpause', 'second');
    expect(inspect('second', '{{.State.Status}}')).toBe('running');
    const pid = inspect('second', '{{.State.Pid}}');
    const t0 = Date.now();
    ok('restart', 'second');
    expect(Date.now() - t0).toBeLessThan(8_000); // --stop-timeout 1, not the default 10 s
    expect(inspect('second', '{{.State.Status}}')).toBe('running');
    expect(inspect('second', '{{.State.Pid}}')).not.toBe(pid);
    await waitUntil(() => ok('logs', 'second').split('mounted').length === 3, 10_000, 'the second run to write');
    expect(ok('logs', 'second')).toBe('mounted\nro\n1\nmounted\nro\n1\n');
    ok('rm', '-f', 'second');
  });

  it('joins another container\'s network with --network container:, and writes --dns, --dns-search and --add-host', () => {
    ok('run', '-d', '--name', 'netowner', '--network', 'none', '--add-host', 'db.example:10.9.8.7', '--dns', '10.1.2.3', '--dns-search', 'corp.example', 'busybox', 'sh', '-c', 'ip link add dummy9 type dummy 2>/dev/null; sleep 300');
    expect(ok('exec', 'netowner', 'cat', '/etc/resolv.conf')).toMatch(/^search corp\.example\nnameserver 10\.1\.2\.3\n/);
    expect(ok('exec', 'netowner', 'cat', '/etc/hosts')).toMatch(/^10\.9\.8\.7\tdb\.example$/m);
    const ownerNet = fs.readlinkSync(`/proc/${inspect('netowner', '{{.State.Pid}}')}/ns/net`);
    const joined = ok('run', '--rm', '--network', 'container:netowner', 'busybox', 'sh', '-c', 'readlink /proc/self/ns/net; grep db.example /etc/hosts; grep nameserver /etc/resolv.conf');
    expect(joined.split('\n').slice(0, 3)).toEqual([ownerNet, '10.9.8.7\tdb.example', 'nameserver 10.1.2.3']);
    const missing = suite.d.docker(['run', '--name', 'joiner1', '--network', 'container:no-such-owner', 'busybox', 'true']);
    expect(missing.status).toBe(125);
    expect(missing.stderr).toMatch(/No such container: no-such-owner/);
    ok('stop', '-t', '0', 'netowner');
    const stopped = suite.d.docker(['run', '--name', 'joiner2', '--network', 'container:netowner', 'busybox', 'true']);
    expect(stopped.status).not.toBe(0);
    expect(stopped.stderr).toMatch(/cannot join network of a non running container/);
    expect(inspect('joiner2', '{{.State.Status}}')).toBe('created');
    ok('rm', 'netowner', 'joiner1', 'joiner2');
    expect(ok('ps', '-aq')).toBe('');
  });

  it('stops with the container\'s stop signal', () => {
    ok('run', '-d', '--name', 'sig', '--stop-signal', 'SIGUSR1', 'busybox', 'sh', '-c', 'trap "echo got usr1; exit 9" USR1; while true; do sleep 0.1; done');
    ok('stop', 'sig');
    expect(inspect('sig', '{{.State.ExitCode}} {{.Config.StopSignal}}')).toBe('9 SIGUSR1');
    expect(ok('logs', 'sig')).toBe('got usr1\n');
    ok('rm', 'sig');
  });

  it('gives an image without PATH docker\'s default PATH', () => {
    const tar = path.join(suite.d.dir, 'rootfs.tar');
    expect(runCmd('tar', ['-C', busyboxRootfs, '-cf', tar, '.']).status).toBe(0);
    ok('import', tar, 'nopath:1');
    expect(inspect('nopath:1', '{{json .Config.Env}}')).toMatch(/^(null|\[\])$/);
    expect(ok('run', '--rm', 'nopath:1', 'sh', '-c', 'echo $PATH').trim()).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  });

  it('writes CPU limits to the container\'s cgroup', () => {
    const id = ok('run', '-d', '--cpus', '0.5', '--cpu-shares', '512', 'busybox', 'sleep', '300').trim();
    const cpu = cgroupDirs(`${suite.d.cgroupParent}/${id}`).find((p) => /\/cpu[,/]/.test(p) && fs.existsSync(path.join(p, 'cpu.cfs_quota_us')));
    expect(cpu).toBeDefined();
    expect(fs.readFileSync(path.join(cpu ?? '', 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('50000');
    expect(fs.readFileSync(path.join(cpu ?? '', 'cpu.shares'), 'utf8').trim()).toBe('512');
    ok('rm', '-f', id);
  });

  it('reports a container killed for memory as OOMKilled with exit code 137', () => {
    const r = suite.d.docker(['run', '--name', 'hog', '-m', '16m', 'busybox', 'sh', '-c', 'x=aaaaaaaaaa; while true; do x=$x$x; done'], 60_000);
    expect(r.status).toBe(137);
    expect(inspect('hog', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.State.Status}}')).toBe('true 137 exited');
    ok('rm', 'hog');
  });

  it('rotates json-file logs at max-size, keeping max-file files, and logs still reads them in order', async () => {
    const id = ok('run', '-d', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done').trim();
    await waitUntil(() => inspect(id, '{{.State.Status}}') === 'exited', 20_000, 'the writer to finish');
    const logPath = inspect(id, '{{.LogPath}}');
    const files = fs.readdirSync(path.dirname(logPath)).filter((f) => f.startsWith(path.basename(logPath)));
    expect(files.sort()).toEqual([path.basename(logPath), `${path.basename(logPath)}.1`, `${path.basename(logPath)}.2`]);
    for (const f of files) expect(fs.statSync(path.join(path.dirname(logPath), f)).size).toBeLessThanOrEqual(2048);
    const lines = ok('logs', id).trim().split('\n');
    expect(lines.at(-1)).toBe('line-299');
    const first = Number(lines[0]?.slice(5));
    lines.forEach((l, i) => expect(l).toBe(`line-${first + i}`));
    const bad = suite.d.docker(['run', '--rm', '--log-opt', 'max-size=lots', 'busybox', 'true']);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toMatch(/max-size/);
    ok('rm', id);
  });

  it('answers wait with not-running, next-exit and removed as docker', async () => {
    const id = ok('create', 'busybox', 'sh', '-c', 'exit 5').trim();
    const notRunning = await request(suite.d.socket, 'POST', `/v1.45/containers/${id}/wait?condition=not-running`);
    expect(JSON.parse(notRunning.body)).toEqual({ StatusCode: 0, Error: null });
    const next = request(suite.d.socket, 'POST', `/v1.45/containers/${id}/wait?condition=next-exit`);
    const removed = request(suite.d.socket, 'POST', `/v1.45/containers/${id}/wait?condition=removed`);
    await new Promise((r) => setTimeout(r, 200));
    ok('start', id);
    expect(JSON.parse((await next).body)).toEqual({ StatusCode: 5, Error: null });
    await waitUntil(() => inspect(id, '{{.State.Status}}') === 'exited', 10_000, 'exit');
    ok('rm', id);
    expect(JSON.parse((await removed).body)).toEqual({ StatusCode: 5, Error: null });
    const bad = await request(suite.d.socket, 'POST', `/v1.45/containers/${id.slice(0, 12)}/wait?condition=sometime`);
    expect(bad.status).toBe(404);
  });

  it('survives kill -9 of berthd and berth-containerd together: running ones keep running, exited ones get their policy', async () => {
    ok('run', '-d', '--name', 'steady', 'busybox', 'sh', '-c', 'i=0; while true; do echo s$i; i=$((i+1)); sleep 0.05; done');
    ok('run', '-d', '--name', 'bouncer', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 1; exit 3');
    process.kill(suite.d.daemon.pid, 'SIGKILL');
    process.kill(suite.d.containerd.pid, 'SIGKILL');
    await Promise.all([suite.d.daemon.exited, suite.d.containerd.exited]);
    await new Promise((r) => setTimeout(r, 2000));
    await suite.d.restartContainerd();
    await suite.d.restart();
    expect(inspect('steady', '{{.State.Status}}')).toBe('running');
    await waitUntil(() => inspect('bouncer', '{{.State.Status}}') === 'running' && Number(inspect('bouncer', '{{.RestartCount}}')) >= 1, 15_000, 'bouncer to be restarted');
    const lines = ok('logs', 'steady').trim().split('\n');
    expect(lines.length).toBeGreaterThan(40);
    lines.forEach((l, i) => expect(l).toBe(`s${i}`));
    expect(ok('exec', 'steady', 'echo', 'alive')).toBe('alive\n');
    ok('rm', '-f', 'steady', 'bouncer');
  }, 90_000);
});
