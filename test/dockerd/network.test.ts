/**
 * The default bridge network of berthd through the real docker CLI 28, on a
 * bridge and subnet of this test's own (a unique name, a 10.x.y.0/24 not
 * routed on this host): a container's eth0, address and default route, a
 * busybox httpd reached through published ports (the userland proxy on
 * 127.0.0.1, the DNAT rules on the bridge's own address), -P, `docker port`,
 * a container reaching a server the test listens with on the bridge's
 * address, docker's errors for a port in use and bad -p, `network ls` and
 * `inspect`, and nothing of ours left after each container and after berthd
 * stops (links, netns mounts, iptables chains, the bridge). Traffic goes only
 * to loopback and to the bridge and containers this test made.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd, waitUntil } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { dockerCli, request, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';
import { freePort, freeSubnet, httpGet, httpGetRetry } from './net-helpers.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'ip', 'iptables', 'iptables-save', 'unshare', 'nsenter') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

describe.skipIf(!available)('the bridge network of berthd', () => {
  let d: Berthd;
  const bridge = `bt${randomBytes(3).toString('hex')}`;
  const { prefix } = freeSubnet();
  const gateway = `${prefix}.1`;
  let stopped = false;
  const ok = (...args: string[]) => {
    const r = d.docker(args, 60_000);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const inspect = (ref: string, format: string) => ok('inspect', '-f', format, ref).trim();
  const ourVeths = () => runCmd('ip', ['-o', 'link', 'show', 'master', bridge]).stdout.split('\n').filter(Boolean);
  const netnsDir = () => path.join(d.dir, 'exec', 'netns');
  const netnsMounts = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(netnsDir()));
  const ourRules = () => runCmd('iptables-save', []).stdout.split('\n').filter((l) => l.includes(bridge));
  const dnatRules = () => ourRules().filter((l) => l.includes('DNAT --to-destination'));
  const expectNoEndpoints = () => {
    expect(ourVeths()).toEqual([]);
    expect(netnsMounts()).toEqual([]);
    expect(fs.existsSync(netnsDir()) ? fs.readdirSync(netnsDir()) : []).toEqual([]);
    expect(dnatRules()).toEqual([]);
  };

  beforeAll(async () => {
    d = await startBerthd({ bridge: { name: bridge, bip: `${gateway}/24` } });
    loadBusyboxImage(d);
  }, 120_000);

  afterAll(async () => {
    if (!stopped) await d?.stop();
  }, 120_000);

  it('gives a container eth0 with an address of the subnet, a default route via the bridge and its name in /etc/hosts', () => {
    const out = ok('run', '--rm', '--hostname', 'box1', 'busybox', 'sh', '-c', 'ip -4 addr show eth0; ip route; ls /sys/class/net; cat /etc/hosts');
    expect(out).toMatch(new RegExp(`inet ${prefix.replace(/\./g, '\\.')}\\.(\\d+)/24`));
    expect(out).toMatch(new RegExp(`default via ${gateway.replace(/\./g, '\\.')} dev eth0`));
    expect(out).toMatch(/^eth0$/m);
    expect(out).toMatch(/^lo$/m);
    expect(out).toMatch(new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.\\d+\\tbox1$`, 'm'));
    expect(ourVeths()).toEqual([]);
    expect(runCmd('ip', ['-4', 'addr', 'show', 'dev', bridge]).stdout).toContain(`inet ${gateway}/24`);
  });

  it('publishes ports: the proxy on 127.0.0.1, DNAT on the bridge address, docker port, ps and inspect', async () => {
    const p1 = await freePort();
    const p2 = await freePort();
    ok('run', '-d', '--name', 'web', '-p', `127.0.0.1:${p1}:80`, '-p', `${p2}:80`, '--expose', '81', 'busybox', 'sh', '-c',
      'mkdir -p /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 80 -h /www');
    const ip = inspect('web', '{{.NetworkSettings.IPAddress}}');
    expect(ip.startsWith(`${prefix}.`)).toBe(true);
    expect(inspect('web', '{{(index .NetworkSettings.Networks "bridge").IPAddress}} {{(index .NetworkSettings.Networks "bridge").Gateway}}')).toBe(`${ip} ${gateway}`);
    expect(await httpGetRetry('127.0.0.1', p1)).toBe('hello-from-httpd\n');
    expect(await httpGet(gateway, p2)).toBe('hello-from-httpd\n');
    // that connection went through our DNAT rule (its packet counter moved), not through the proxy
    const dnatLine = runCmd('iptables-save', ['-c', '-t', 'nat']).stdout.split('\n').find((l) => l.includes(`BERTH-DNAT-${bridge}`) && l.includes(`--dport ${p2} `));
    expect(Number(/^\[(\d+):/.exec(dnatLine ?? '')?.[1] ?? 0)).toBeGreaterThan(0);
    expect(ok('port', 'web').trim().split('\n').sort()).toEqual([`80/tcp -> 0.0.0.0:${p2}`, `80/tcp -> 127.0.0.1:${p1}`].sort());
    expect(ok('port', 'web', '80/tcp').trim().split('\n').sort()).toEqual([`0.0.0.0:${p2}`, `127.0.0.1:${p1}`].sort());
    const ps = ok('ps', '--filter', 'name=web', '--format', '{{.Ports}}').trim();
    expect(ps).toContain(`127.0.0.1:${p1}->80/tcp`);
    expect(ps).toContain(`0.0.0.0:${p2}->80/tcp`);
    expect(ps).toContain('81/tcp');
    expect(dnatRules().length).toBe(2);
    expect(ourVeths().length).toBe(1);
    // the network as docker shows it
    const ls = ok('network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}').trim().split('\n').sort();
    expect(ls).toEqual(['bridge bridge local', 'host host local', 'none null local']);
    const netJson = JSON.parse(ok('network', 'inspect', 'bridge')) as { Name: string; IPAM: { Config: { Subnet: string; Gateway: string }[] }; Containers: Record<string, { Name: string; IPv4Address: string }>; Options: Record<string, string> }[];
    expect(netJson[0]?.IPAM.Config).toEqual([{ Subnet: `${prefix}.0/24`, Gateway: gateway }]);
    expect(Object.values(netJson[0]?.Containers ?? {})).toEqual([expect.objectContaining({ Name: 'web', IPv4Address: `${ip}/24` })]);
    expect(netJson[0]?.Options['com.docker.network.bridge.name']).toBe(bridge);
    ok('stop', '-t', '1', 'web');
    expect(inspect('web', '{{json .NetworkSettings.Ports}} {{.NetworkSettings.IPAddress}}')).toBe('{}');
    expectNoEndpoints();
    await expect(httpGet('127.0.0.1', p1)).rejects.toThrow();
    ok('rm', 'web');
  }, 90_000);

  it('publishes every exposed port on a random port with -P', async () => {
    ok('run', '-d', '--name', 'allports', '-P', '--expose', '7000', '--expose', '7001/udp', 'busybox', 'sh', '-c',
      'mkdir -p /www && echo via-random > /www/index.html && exec httpd -f -p 7000 -h /www');
    const lines = ok('port', 'allports').trim().split('\n').sort();
    expect(lines).toHaveLength(2);
    const tcp = /^7000\/tcp -> 0\.0\.0\.0:(\d+)$/.exec(lines[0] ?? '');
    const udp = /^7001\/udp -> 0\.0\.0\.0:(\d+)$/.exec(lines[1] ?? '');
    expect(tcp).not.toBeNull();
    expect(udp).not.toBeNull();
    for (const m of [tcp, udp]) {
      const port = Number(m?.[1]);
      expect(port).toBeGreaterThanOrEqual(32768);
      expect(port).toBeLessThanOrEqual(60999);
    }
    expect(await httpGetRetry('127.0.0.1', Number(tcp?.[1]))).toBe('via-random\n');
    ok('rm', '-f', 'allports');
    expectNoEndpoints();
  }, 60_000);

  it('lets a container reach a server the test listens with on the bridge address', async () => {
    const got: string[] = [];
    const server = net.createServer((s) => {
      let data = '';
      s.on('data', (b) => (data += b.toString()));
      s.on('end', () => { got.push(data); s.end(); });
    });
    await new Promise<void>((resolve) => server.listen(0, gateway, resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      ok('run', '-d', '--name', 'client', 'busybox', 'sh', '-c', `echo hello-from-container | nc -w 5 ${gateway} ${port}`);
      await waitUntil(() => got.length > 0, 20_000, 'the container to connect');
      expect(got[0]).toBe('hello-from-container\n');
    } finally {
      server.close();
    }
    ok('wait', 'client');
    ok('rm', 'client');
    expectNoEndpoints();
  }, 60_000);

  it('fails with docker\'s error for a port in use and for bad -p, leaving nothing behind', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const r = d.docker(['run', '-d', '--name', 'clash', '-p', `${taken}:80`, 'busybox', 'sleep', '60']);
      expect(r.status).toBe(125);
      expect(r.stderr).toMatch(new RegExp(`driver failed programming external connectivity on endpoint clash \\([0-9a-f]{64}\\): failed to bind host port for 0\\.0\\.0\\.0:${taken}:${prefix.replace(/\./g, '\\.')}\\.\\d+:80/tcp: address already in use`));
      expect(inspect('clash', '{{.State.Running}}')).toBe('false');
      expectNoEndpoints();
      ok('rm', 'clash');
    } finally {
      blocker.close();
    }
    const bad = d.docker(['run', '--rm', '-p', 'abc', 'busybox', 'true']);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toMatch(/invalid containerPort: abc/);
    const bad2 = d.docker(['run', '--rm', '-p', '70000:80', 'busybox', 'true']);
    expect(bad2.status).toBe(125);
    expect(bad2.stderr).toMatch(/invalid hostPort: 70000/);
    // the daemon's own check, for clients that send what the CLI would not
    const raw = await request(d.socket, 'GET', '/networks/nope');
    expect(raw.status).toBe(404);
    expect(JSON.parse(raw.body)).toEqual({ message: 'network nope not found' });
    expectNoEndpoints();
  }, 60_000);

  it('keeps a running container\'s address and ports across a berthd restart, never reusing the address', async () => {
    const p = await freePort();
    ok('run', '-d', '--name', 'keeper', '-p', `127.0.0.1:${p}:80`, 'busybox', 'sh', '-c',
      'mkdir -p /www && echo still-here > /www/index.html && exec httpd -f -p 80 -h /www');
    const ip = inspect('keeper', '{{.NetworkSettings.IPAddress}}');
    await d.daemon.stop();
    expect(runCmd('ip', ['link', 'show', bridge]).status).toBe(0); // kept: a container is on it
    await d.restart();
    expect(inspect('keeper', '{{.NetworkSettings.IPAddress}}')).toBe(ip);
    expect(await httpGetRetry('127.0.0.1', p)).toBe('still-here\n');
    const other = ok('run', '--rm', 'busybox', 'sh', '-c', 'ip -4 -o addr show eth0');
    expect(other).not.toContain(`inet ${ip}/`);
    ok('rm', '-f', 'keeper');
    expectNoEndpoints();
  }, 90_000);

  it('removes the bridge and its chains when berthd stops', async () => {
    await d.stop();
    stopped = true;
    expect(runCmd('ip', ['link', 'show', bridge]).status).not.toBe(0);
    expect(ourRules()).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(d.dir);
  }, 120_000);
});
