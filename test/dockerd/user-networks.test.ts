/**
 * User-defined bridge networks of berthd through the real docker CLI 28:
 * `network create/ls/inspect/rm/connect/disconnect/prune` with docker's
 * errors, containers reaching each other by name, alias and `name.network`
 * through the embedded DNS server, --ip and --mac-address, a second network
 * connected to a running container (eth1), internal networks without a way
 * out, isolation between networks, a berthd restart, and nothing of ours left
 * (bridges, chains, namespaces) after containers, networks and berthd stop.
 * Subnets are 10.x.y.0/24 blocks no route of this host covers; traffic goes
 * only to the bridges and containers this test made.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';
import { freeSubnet } from './net-helpers.js';

const execFileAsync = promisify(execFile);

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'ip', 'iptables', 'iptables-save', 'unshare', 'nsenter') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

/** busybox's wget crashes in this static build: an HTTP/1.0 GET through nc, which resolves names as other programs do. */
const httpGetCmd = (host: string, timeoutS = 5) => ['sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w ${timeoutS} ${host} 80 | tail -n 1`];
const httpd = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];

/**
 * A resolver of the test's own on a loopback address (berthd's --dns): every
 * A query for outside.example gets 10.1.2.3, any other query an empty NOERROR.
 * The names it was asked are kept.
 */
async function fakeUpstream(address: string): Promise<{ asked: string[]; close(): void }> {
  const sock = dgram.createSocket('udp4');
  const asked: string[] = [];
  sock.on('message', (q, from) => {
    const labels: string[] = [];
    let i = 12;
    while (i < q.length && q[i] !== 0) {
      labels.push(q.subarray(i + 1, i + 1 + (q[i] ?? 0)).toString('latin1'));
      i += 1 + (q[i] ?? 0);
    }
    const name = labels.join('.');
    asked.push(name);
    const qtype = q.readUInt16BE(i + 1);
    const question = q.subarray(12, i + 5);
    const header = Buffer.from(q.subarray(0, 12));
    header.writeUInt16BE(0x8180, 2); // response, recursion desired and available, NOERROR
    header.writeUInt16BE(1, 4);
    const answer = name === 'outside.example' && qtype === 1;
    header.writeUInt16BE(answer ? 1 : 0, 6);
    header.writeUInt32BE(0, 8);
    const rr = answer ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3]) : Buffer.alloc(0);
    sock.send(Buffer.concat([header, question, rr]), from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(53, address, () => resolve());
  });
  return { asked, close: () => sock.close() };
}

describe.skipIf(!available)('user-defined networks of berthd', () => {
  let d: Berthd;
  let upstream: Awaited<ReturnType<typeof fakeUpstream>> | undefined;
  const upstreamIp = `127.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  let stopped = false;
  const s1 = freeSubnet().prefix;
  let s2 = freeSubnet().prefix;
  while (s2 === s1) s2 = freeSubnet().prefix;
  const made: string[] = []; // network IDs, for the leftover checks
  const ok = (...args: string[]) => {
    const r = d.docker(args, 60_000);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const fails = (args: string[], status: number, message: RegExp) => {
    const r = d.docker(args, 60_000);
    expect(r.status, `${args.join(' ')}: ${r.stdout}`).toBe(status);
    expect(r.stderr).toMatch(message);
  };
  const create = (...args: string[]) => {
    const id = ok('network', 'create', ...args).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    made.push(id);
    return id;
  };
  const bridgeOf = (id: string) => `br-${id.slice(0, 12)}`;
  const linkExists = (name: string) => fs.existsSync(`/sys/class/net/${name}`);
  const ourRules = () => runCmd('iptables-save', []).stdout.split('\n').filter((l) => made.some((id) => l.includes(bridgeOf(id))));
  const netnsDir = () => path.join(d.dir, 'exec', 'netns');
  const expectNoSandboxes = () => {
    expect(fs.existsSync(netnsDir()) ? fs.readdirSync(netnsDir()) : []).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(netnsDir());
  };

  beforeAll(async () => {
    upstream = await fakeUpstream(upstreamIp);
    d = await startBerthd({ extraArgs: ['--dns', upstreamIp] });
    loadBusyboxImage(d);
  }, 120_000);

  afterAll(async () => {
    upstream?.close();
    if (!stopped) await d?.stop();
    for (const id of made) if (linkExists(bridgeOf(id))) runCmd('ip', ['link', 'del', bridgeOf(id)]);
  }, 120_000);

  it('creates, lists and inspects networks with docker\'s errors for bad input', () => {
    const id = create('--subnet', `${s1}.0/24`, '--label', 'team=a', 'n1');
    expect(linkExists(bridgeOf(id))).toBe(true);
    expect(runCmd('ip', ['-4', 'addr', 'show', 'dev', bridgeOf(id)]).stdout).toContain(`inet ${s1}.1/24`);
    const [net] = JSON.parse(ok('network', 'inspect', 'n1')) as { Id: string; Driver: string; Scope: string; Internal: boolean; IPAM: { Config: unknown[] }; Labels: Record<string, string>; Containers: object }[];
    expect(net).toMatchObject({ Id: id, Driver: 'bridge', Scope: 'local', Internal: false, IPAM: { Config: [{ Subnet: `${s1}.0/24` }] }, Labels: { team: 'a' }, Containers: {} });
    const auto = create('auto1');
    const autoSubnet = ok('network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}', auto).trim();
    expect(autoSubnet).toMatch(/^(172\.(1[7-9]|2\d|3[01])\.0\.0\/16 172\.\d+\.0\.1|192\.168\.\d+\.0\/20 192\.168\.\d+\.1)$/);
    expect(ok('network', 'ls', '--format', '{{.Name}} {{.Driver}}').trim().split('\n').sort()).toEqual(['auto1 bridge', 'host host', 'n1 bridge', 'none null']);
    expect(ok('network', 'ls', '-q', '--no-trunc', '--filter', 'label=team=a').trim()).toBe(id);
    expect(ok('network', 'ls', '--format', '{{.Name}}', '--filter', 'type=custom').trim().split('\n').sort()).toEqual(['auto1', 'n1']);
    fails(['network', 'create', 'n1'], 1, /network with name n1 already exists/);
    fails(['network', 'create', '--subnet', `${s1}.128/25`, 'clash'], 1, /Pool overlaps with other one on this address space/);
    fails(['network', 'create', '--subnet', 'bad', 'badnet'], 1, /invalid CIDR address: bad/);
    fails(['network', 'create', '-d', 'foo', 'foonet'], 1, /plugin "foo" not found/);
    fails(['network', 'inspect', 'nope'], 1, /network nope not found/);
    fails(['network', 'rm', 'none'], 1, /none is a pre-defined network and cannot be removed/);
    ok('network', 'rm', 'auto1');
    expect(linkExists(bridgeOf(auto))).toBe(false);
    // a gateway of the user's choice: the bridge's address and the containers' default route
    const gw = create('--subnet', `${s2}.0/24`, '--gateway', `${s2}.254`, 'gw1');
    expect(ok('network', 'inspect', '-f', '{{json .IPAM.Config}}', 'gw1').trim()).toBe(JSON.stringify([{ Subnet: `${s2}.0/24`, Gateway: `${s2}.254` }]));
    expect(runCmd('ip', ['-4', 'addr', 'show', 'dev', bridgeOf(gw)]).stdout).toContain(`inet ${s2}.254/24`);
    expect(ok('run', '--rm', '--network', 'gw1', 'busybox', 'ip', 'route')).toContain(`default via ${s2}.254 dev eth0`);
    ok('network', 'rm', 'gw1');
  }, 60_000);

  it('lets containers reach each other by name, alias and name.network through the embedded DNS server', () => {
    ok('run', '-d', '--name', 'srv', '--network', 'n1', '--network-alias', 'web', 'busybox', ...httpd('hello-n1'));
    const resolv = ok('run', '--rm', '--network', 'n1', 'busybox', 'cat', '/etc/resolv.conf');
    expect(resolv).toMatch(new RegExp(`^nameserver ${s1.replace(/\./g, '\\.')}\\.1$`, 'm'));
    for (const host of ['srv', 'web', 'srv.n1']) {
      expect(ok('run', '--rm', '--network', 'n1', 'busybox', ...httpGetCmd(host))).toBe('hello-n1\n');
    }
    const ip = ok('inspect', '-f', '{{.NetworkSettings.Networks.n1.IPAddress}}', 'srv').trim();
    expect(ip.startsWith(`${s1}.`)).toBe(true);
    expect(ok('inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'srv').trim()).toBe(''); // only the default bridge fills it
    const lookup = ok('run', '--rm', '--network', 'n1', 'busybox', 'nslookup', ip, `${s1}.1`);
    expect(lookup).toContain('srv.n1');
    const [net] = JSON.parse(ok('network', 'inspect', 'n1')) as { Containers: Record<string, { Name: string; IPv4Address: string }> }[];
    expect(Object.values(net?.Containers ?? {})).toEqual([expect.objectContaining({ Name: 'srv', IPv4Address: `${ip}/24` })]);
    expect(ok('ps', '--filter', 'network=n1', '--format', '{{.Names}}').trim()).toBe('srv');
  }, 120_000);

  it('forwards other names to the daemon\'s --dns resolvers', async () => {
    // asynchronously: the test's own resolver answers from this process's event loop
    const { stdout: out } = await execFileAsync(dockerCli, ['run', '--rm', '--network', 'n1', 'busybox', 'nslookup', 'outside.example'], { env: d.env, timeout: 60_000 });
    expect(out).toMatch(/Address: 10\.1\.2\.3/);
    expect(upstream?.asked).toContain('outside.example');
    // names of ours never leave berthd
    expect(upstream?.asked.filter((n) => n === 'srv' || n === 'web')).toEqual([]);
  }, 60_000);

  it('gives a container the --ip and --mac-address it asks for, with docker\'s errors', () => {
    const out = ok('run', '--rm', '--network', 'n1', '--ip', `${s1}.50`, '--mac-address', '02:42:aa:bb:cc:dd', 'busybox', 'ip', 'addr', 'show', 'eth0');
    expect(out).toContain(`inet ${s1}.50/24`);
    expect(out).toContain('link/ether 02:42:aa:bb:cc:dd');
    fails(['run', '--rm', '--network', 'n1', '--ip', `${s2}.5`, 'busybox', 'true'], 125, /no configured subnet or ip-range contain the IP address/);
    fails(['run', '--rm', '--network-alias', 'x', 'busybox', 'true'], 125, /network-scoped alias(es are only supported for user-defined networks| is supported only for containers in user defined networks)/);
    fails(['run', '--rm', '--network', 'nope', 'busybox', 'true'], 125, /network nope not found/);
    ok('run', '-d', '--name', 'holder', '--network', 'n1', '--ip', `${s1}.60`, 'busybox', 'sleep', '60');
    fails(['run', '--rm', '--network', 'n1', '--ip', `${s1}.60`, 'busybox', 'true'], 125, /Address already in use/);
    ok('rm', '-f', 'holder');
  }, 90_000);

  it('connects a running container to a second network as eth1 and disconnects it', () => {
    const id2 = create('--subnet', `${s2}.0/24`, 'n2');
    ok('network', 'connect', '--alias', 'second', 'n2', 'srv');
    const addrs = ok('exec', 'srv', 'ip', '-4', '-o', 'addr');
    expect(addrs).toMatch(new RegExp(`eth1\\s+inet ${s2.replace(/\./g, '\\.')}\\.\\d+/24`));
    expect(ok('inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', 'srv').trim().split(' ').sort()).toEqual(['n1', 'n2']);
    expect(ok('run', '--rm', '--network', 'n2', 'busybox', ...httpGetCmd('second'))).toBe('hello-n1\n');
    fails(['network', 'connect', 'n2', 'srv'], 1, /endpoint with name srv already exists in network n2/);
    fails(['network', 'rm', 'n2'], 1, /has active endpoints/);
    ok('network', 'disconnect', 'n2', 'srv');
    // the container's own sysfs, as runc mounts it for a joined namespace: its interfaces only, not the host's
    expect(ok('exec', 'srv', 'ls', '/sys/class/net').split('\n').filter(Boolean).sort()).toEqual(['eth0', 'lo']);
    expect(runCmd('ip', ['-o', 'link', 'show', 'master', bridgeOf(id2)]).stdout.trim()).toBe('');
  }, 90_000);

  it('isolates networks from each other and keeps internal networks in', () => {
    const ip = ok('inspect', '-f', '{{.NetworkSettings.Networks.n1.IPAddress}}', 'srv').trim();
    // n2's container has a route to n1 (via its gateway), but n1's bridge lets nothing in from other networks
    const cross = d.docker(['run', '--rm', '--network', 'n2', 'busybox', ...httpGetCmd(ip, 2)], 60_000);
    expect(cross.stdout).not.toContain('hello-n1');
    // while from its own network it answers
    expect(ok('run', '--rm', '--network', 'n1', 'busybox', ...httpGetCmd(ip))).toBe('hello-n1\n');
    create('--internal', 'inside');
    const routes = ok('run', '--rm', '--network', 'inside', 'busybox', 'ip', 'route');
    expect(routes).not.toContain('default');
    expect(ok('network', 'inspect', '-f', '{{.Internal}}', 'inside').trim()).toBe('true');
  }, 90_000);

  it('keeps networks and their containers across a berthd restart', async () => {
    await d.daemon.stop();
    await d.restart();
    expect(ok('run', '--rm', '--network', 'n1', 'busybox', ...httpGetCmd('web'))).toBe('hello-n1\n');
    expect(ok('network', 'ls', '--format', '{{.Name}}', '--filter', 'type=custom').trim().split('\n').sort()).toEqual(['inside', 'n1', 'n2']);
  }, 120_000);

  it('prunes unused networks and removes the rest with their bridges and chains', () => {
    ok('create', '--name', 'parked', '--network', 'n2', 'busybox', 'true');
    const pruned = ok('network', 'prune', '-f', '--filter', 'label!=keep');
    expect(pruned).toContain('inside');
    expect(pruned).not.toContain('n1');
    expect(pruned).not.toContain('n2'); // a created container still names it
    ok('rm', '-f', 'srv', 'parked');
    expectNoSandboxes();
    ok('network', 'rm', 'n1', 'n2');
    for (const id of made) expect(linkExists(bridgeOf(id))).toBe(false);
    expect(ourRules()).toEqual([]);
  }, 90_000);

  it('leaves no bridge, chain or namespace of a user network after berthd stops', async () => {
    create('--subnet', `${s1}.0/24`, 'last');
    ok('run', '--rm', '--network', 'last', 'busybox', 'true');
    await d.stop();
    stopped = true;
    for (const id of made) expect(linkExists(bridgeOf(id))).toBe(false);
    expect(ourRules()).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(d.dir);
  }, 120_000);
});
