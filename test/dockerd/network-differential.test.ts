/**
 * User-defined networks on berthd against the real dockerd 20.10 (private
 * socket and roots, --iptables=false), both driven by the same docker CLI 28
 * with the same arguments: what `network inspect` shows of a network and of a
 * created container's endpoint settings, and the errors (text and exit
 * status) for bad input. Subnets are 10.x.y.0/24 blocks no route of this
 * host covers; each daemon gets its own.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd, type CmdResult } from '../helpers/daemon.js';
import { loadBusybox, startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';
import { freeSubnet } from './net-helpers.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'dockerd', 'containerd', 'ip') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

type Json = Record<string, unknown>;

describe.skipIf(!available)('user networks: berthd and the real dockerd alike', () => {
  let berthd: Berthd;
  let real: RealDockerd | undefined;
  const ours = freeSubnet().prefix;
  let theirs = freeSubnet().prefix;
  while (theirs === ours) theirs = freeSubnet().prefix;
  const bridges: string[] = [];
  const both = (args: (prefix: string) => string[]): [CmdResult, CmdResult] => {
    if (!real) throw new Error('dockerd did not start');
    return [berthd.docker(args(ours), 30_000), real.docker(args(theirs), 30_000)];
  };
  /** Each daemon's output with its own IDs and subnet replaced by placeholders. */
  const tidy = (s: string, prefix: string) => s.replace(/[0-9a-f]{64}/g, '<id>').replace(/[0-9a-f]{12}/g, '<short>').split(prefix).join('<net>');

  beforeAll(async () => {
    berthd = await startBerthd();
    loadBusyboxImage(berthd);
    real = await startRealDockerd();
    // the image both sides create from (a missing one would send the docker CLI to Docker Hub)
    loadBusybox(real, 'busybox:latest');
  }, 120_000);

  afterAll(async () => {
    await berthd?.stop();
    await real?.stop();
    for (const b of bridges) if (fs.existsSync(`/sys/class/net/${b}`)) runCmd('ip', ['link', 'del', b]);
  }, 120_000);

  it('inspects a network with a subnet, labels and --internal the same way', () => {
    const created = both((p) => ['network', 'create', '--subnet', `${p}.0/24`, '--label', 'team=a', '--internal', 'dn1']);
    for (const r of created) {
      expect(r.status, r.stderr).toBe(0);
      bridges.push(`br-${r.stdout.trim().slice(0, 12)}`);
    }
    const [a, b] = both(() => ['network', 'inspect', 'dn1']).map((r) => (JSON.parse(r.stdout) as Json[])[0] ?? {});
    const pick = (n: Json, p: string) => JSON.parse(tidy(JSON.stringify({ Name: n.Name, Scope: n.Scope, Driver: n.Driver, EnableIPv6: n.EnableIPv6, IPAM: n.IPAM, Internal: n.Internal, Attachable: n.Attachable, Ingress: n.Ingress, ConfigOnly: n.ConfigOnly, Containers: n.Containers, Options: n.Options, Labels: n.Labels }), p)) as Json;
    expect(pick(a ?? {}, ours)).toEqual(pick(b ?? {}, theirs));
    // berthd adds fields of newer APIs (EnableIPv4); everything dockerd 20.10 has, berthd has
    expect(Object.keys(a ?? {})).toEqual(expect.arrayContaining(Object.keys(b ?? {})));
  });

  it('keeps the same endpoint settings for a created container with an alias and an address', () => {
    const created = both((p) => ['create', '--name', 'dc1', '--network', 'dn1', '--network-alias', 'db', '--ip', `${p}.9`, 'busybox', 'true']);
    for (const r of created) expect(r.status, r.stderr).toBe(0);
    const fmt = '{{json .NetworkSettings.Networks.dn1.Aliases}} {{json .NetworkSettings.Networks.dn1.IPAMConfig}} {{.HostConfig.NetworkMode}}';
    const [a, b] = both(() => ['inspect', '-f', fmt, 'dc1']);
    expect(tidy(a.stdout, ours)).toBe(tidy(b.stdout, theirs));
    for (const r of both(() => ['rm', 'dc1'])) expect(r.status, r.stderr).toBe(0);
  });

  // Not compared: `create --network nope`. dockerd 20.10 creates the container and fails its start;
  // berthd refuses the create (400 `network nope not found`, as newer dockerd does at create,
  // but not 404, which would send the docker CLI to pull the image).
  it('refuses bad input with the same words and exit status', () => {
    const cases: ((p: string) => string[])[] = [
      () => ['network', 'create', 'dn1'],
      (p) => ['network', 'create', '--subnet', `${p}.128/25`, 'dn2'],
      () => ['network', 'create', '--subnet', 'bad', 'dn3'],
      () => ['network', 'create', '-d', 'foo', 'dn4'],
      () => ['network', 'rm', 'bridge-or-not'],
      () => ['network', 'rm', 'none'],
      () => ['network', 'inspect', 'nope'],
      () => ['network', 'connect', 'nope', 'dc1'],
      () => ['network', 'connect', 'dn1', 'no-such-container'],
    ];
    const results = cases.map((args) => {
      const [a, b] = both(args);
      return [{ args: args(''), status: a.status, stderr: tidy(a.stderr, ours) }, { args: args(''), status: b.status, stderr: tidy(b.stderr, theirs) }];
    });
    expect(results.map(([a]) => a)).toEqual(results.map(([, b]) => b));
    for (const r of both(() => ['network', 'rm', 'dn1'])) expect(r.status, r.stderr).toBe(0);
  });
});
