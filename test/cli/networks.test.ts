/**
 * `berth network ...` and run/create's network flags, each step run by the
 * real docker CLI 28 and by berth against one private real dockerd 20.10 and
 * compared (stdout, stderr, exit status; ids, times, each side's names and
 * subnets masked). Each side names its networks `<side>-<random>-<x>` and
 * takes its own /24s of a 10.x.0.0/16 that no route here uses; containers are
 * only created, never started (that dockerd has no default bridge). Every
 * network made is removed at the end, and its br-<id> with it.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { busyboxRootfs } from '../helpers/paths.js';
import { dockerCli, loadBusybox, startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { mask, side, type Side } from './containers-compare.js';
import { berthBin } from './run-berth.js';

const available = process.getuid?.() === 0 && fs.existsSync(berthBin) && fs.existsSync(busyboxRootfs) && haveBinaries('dockerd', dockerCli, 'containerd', 'ip');

const img = `busybox:n${process.pid}`;
const rand = Math.random().toString(36).slice(2, 7);
const nameOf = (s: Side) => (x: string) => `${s}-${rand}-${x}`;

/** A 10.x.0.0/16 with no route in any table: dk takes 10.x.k.0/24, bt 10.x.(100+k).0/24. */
function freeSixteen(): number {
  const routes = runCmd('ip', ['-4', 'route', 'show', 'table', 'all']).stdout;
  if (/(^|\s)10\.0\.0\.0\/8\b/m.test(routes)) throw new Error('10.0.0.0/8 is routed here: no private subnet for the test networks');
  for (;;) {
    const x = 100 + Math.floor(Math.random() * 150);
    if (!routes.includes(`10.${x}.`)) return x;
  }
}
const x16 = available ? freeSixteen() : 0;
const subOf = (s: Side) => (k: number) => `10.${x16}.${(s === 'dk' ? 0 : 100) + k}`;
/** Each side's subnets look the same once the third octet is taken mod 100. */
const tidySubnets = (t: string) => t.replace(new RegExp(`10\\.${x16}\\.(\\d+)`, 'g'), (_m, d: string) => `10.${x16}.${Number(d) % 100}`);

type Args = (n: (x: string) => string, sub: (k: number) => string) => string[];
interface Step {
  args: Args;
  input?: string;
}

describe.skipIf(!available)('berth network, judged by docker 28 at the same daemon', () => {
  let d: RealDockerd;
  /** Every network id a create printed, on either side: afterAll removes them and checks their bridges. */
  const made = new Set<string>();

  async function run(s: Side, st: Step) {
    const args = st.args(nameOf(s), subOf(s));
    const r = await side(d, s, args, st.input);
    if (args[0] === 'network' && args[1] === 'create') for (const id of r.stdout.match(/\b[0-9a-f]{64}\b/g) ?? []) made.add(id);
    // Go's time.Time.String() with its fraction of a second (network ls's CreatedAt)
    // ("'docker network create' requires 1 argument": the program's own name, which mask leaves)
    const tidy = (t: string) => tidySubnets(mask(t.replaceAll("'docker ", "'berth ").replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [+-]\d{4} \w+/g, '<time>')));
    return { args: tidy(args.join(' ')), status: r.status, stdout: tidy(r.stdout), stderr: tidy(r.stderr) };
  }

  async function steps(list: Step[]): Promise<void> {
    for (const st of list) {
      const docker = await run('dk', st);
      const berth = await run('bt', st);
      expect(berth).toEqual(docker);
    }
  }

  beforeAll(async () => {
    d = await startRealDockerd();
    loadBusybox(d, img);
  }, 120_000);

  afterAll(async () => {
    if (!d) return;
    const ours = d.docker(['ps', '-aq', '--filter', `name=-${rand}-`]).stdout.split('\n').filter(Boolean);
    if (ours.length) d.docker(['rm', '-f', ...ours], 60_000);
    for (const id of made) d.docker(['network', 'rm', id]);
    const links = () => runCmd('ip', ['-o', 'link', 'show']).stdout;
    const left = [...made].map((id) => `br-${id.slice(0, 12)}`).filter((br) => links().includes(`${br}:`));
    // a bridge dockerd left behind for a network of ours: ours to delete
    for (const br of left) runCmd('ip', ['link', 'delete', br]);
    await d.stop();
    expect(left).toEqual([]);
  }, 120_000);

  it('creates networks, and refuses what docker refuses with the same words', async () => {
    await steps([
      // the one network without --subnet: dockerd takes a free /16 from its default pools
      { args: (n) => ['network', 'create', '--label', `o=${n('')}`, n('plain')] },
      { args: (n, sub) => ['network', 'create', '--subnet', `${sub(1)}.0/24`, '--gateway', `${sub(1)}.1`, '--internal', '--label', 'team=blue', n('one')] },
      { args: (n, sub) => ['network', 'create', '--subnet', `${sub(2)}.0/24`, '--ip-range', `${sub(2)}.16/28`, '-o', 'com.docker.network.driver.mtu=1400', '--attachable', n('two')] },
      { args: (n) => ['network', 'create', n('one')] },
      { args: (n, sub) => ['network', 'create', '--subnet', `${sub(1)}.128/25`, n('overlap')] },
      { args: (n, sub) => ['network', 'create', '--subnet', `${sub(3)}.0/33`, n('bad')] },
      { args: (n) => ['network', 'create', '--subnet', 'bogus', n('bad')] },
      { args: (n) => ['network', 'create', '--gateway', '10.99.4.1', n('bad')] },
      { args: (n, sub) => ['network', 'create', '--subnet', `${sub(3)}.0/24`, '--gateway', '10.99.4.1', n('bad')] },
      { args: (n, sub) => ['network', 'create', '--subnet', `${sub(3)}.0/24`, '--ip-range', '10.99.4.0/28', n('bad')] },
      { args: (n, sub) => ['network', 'create', '--subnet', `${sub(3)}.0/24,${sub(3)}.0/25`, n('bad')] },
      { args: (n) => ['network', 'create', '--label', 'a b=1', n('bad')] },
      { args: (n) => ['network', 'create', '-d', 'nosuch', n('bad')] },
      { args: () => ['network', 'create'] },
    ]);
  }, 120_000);

  it('lists and inspects them', async () => {
    await steps([
      { args: () => ['network', 'ls'] },
      { args: (n) => ['network', 'ls', '--filter', `name=${n('')}`] },
      { args: (n) => ['network', 'ls', '-q', '--no-trunc', '-f', `name=${n('')}`] },
      { args: (n) => ['network', 'ls', '--filter', `label=o=${n('')}`] },
      { args: (n) => ['network', 'ls', '-f', `name=${n('')}`, '--format', '{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}} {{.IPv6}} {{.Labels}} {{.Label "team"}}'] },
      { args: (n) => ['network', 'ls', '-f', `name=${n('')}`, '--format', 'table {{.ID}}\t{{.Name}}\t{{.CreatedAt}}'] },
      { args: (n) => ['network', 'ls', '-f', `name=${n('')}`, '--format', 'json'] },
      { args: () => ['network', 'ls', '-f', 'bogus'] },
      { args: () => ['network', 'ls', '-f', 'bogus=1'] },
      { args: (n) => ['network', 'inspect', n('one'), n('two')] },
      { args: (n) => ['network', 'inspect', n('one'), n('nosuch')] },
      { args: (n) => ['network', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Internal}} {{json .IPAM.Config}} {{range .IPAM.Config}}{{.Subnet}}{{end}}', n('one'), n('two')] },
      { args: (n) => ['network', 'inspect', '-f', '{{.Name}}', n('nosuch')] },
      { args: () => ['network', 'inspect'] },
    ]);
  }, 120_000);

  // docker's template sees Go structs ({10.x.1.0/24  10.x.1.1 map[]}); berth's engine prints JSON objects as maps
  it.fails('inspect -f {{.IPAM.Config}} prints the Go structs (needs struct printing in the template engine)', async () => {
    await steps([{ args: (n) => ['network', 'inspect', '-f', '{{.IPAM.Config}}', n('one'), n('two')] }]);
  }, 60_000);

  it('connects and disconnects a created container', async () => {
    // chosen fields only: docker's template sees the typed struct, whose JSON has fields berth's raw answer lacks
    const nets = '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{json $v.Aliases}} {{json $v.IPAMConfig}}; {{end}}';
    await steps([
      { args: (n) => ['create', '--name', n('c'), '--network', n('one'), img, 'true'] },
      { args: (n, sub) => ['network', 'connect', '--alias', 'a1', '--alias', 'a2,a3', '--ip', `${sub(2)}.9`, n('two'), n('c')] },
      { args: (n) => ['inspect', '-f', nets, n('c')] },
      { args: (n) => ['network', 'connect', n('two'), n('nosuch')] },
      { args: (n) => ['network', 'disconnect', n('two'), n('c')] },
      { args: (n) => ['network', 'disconnect', n('two'), n('c')] },
      { args: (n) => ['network', 'disconnect', '-f', n('two'), n('c')] },
      { args: (n) => ['inspect', '-f', nets, n('c')] },
      { args: (n) => ['network', 'connect', n('one')] },
    ]);
  }, 120_000);

  it('run/create take --network (repeated or name=,alias=), --network-alias and --ip as docker', async () => {
    const nets = '{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{json $v.Aliases}} {{json $v.IPAMConfig}}; {{end}}';
    await steps([
      { args: (n, sub) => ['create', '--name', n('e1'), '--network', n('one'), '--network-alias', 'x', '--network-alias', 'y', '--ip', `${sub(1)}.50`, img, 'true'] },
      { args: (n) => ['inspect', '-f', nets, n('e1')] },
      { args: (n) => ['create', '--name', n('e2'), '--network', `name=${n('two')},alias=zz`, img, 'true'] },
      { args: (n) => ['inspect', '-f', nets, n('e2')] },
      { args: (n) => ['create', '--name', n('e3'), '--network', 'none', img, 'true'] },
      { args: (n) => ['inspect', '-f', nets, n('e3')] },
      { args: (n) => ['create', '--name', n('bad'), '--network-alias', 'x', img, 'true'] },
      { args: (n) => ['create', '--name', n('bad'), '--network', 'none', '--network-alias', 'x', img, 'true'] },
      { args: (n) => ['create', '--name', n('bad'), '--network', n('one'), '--network', 'none', img, 'true'] },
      { args: (n) => ['create', '--name', n('bad'), '--network', n('one'), '--network', n('one'), img, 'true'] },
      { args: (n) => ['run', '--name', n('bad'), '--network', `name=${n('one')},foo=1`, img, 'true'] },
      { args: (n) => ['create', '--name', n('bad'), '--network', n('one'), '--mac-address', 'bogus', img, 'true'] },
      { args: (n) => ['create', '--name', n('bad'), '--network', n('one'), '--ip', 'bogus', img, 'true'] },
      { args: (n) => ['run', '--rm', '--name', n('none'), '--network', 'none', img, 'echo', 'hi'] },
    ]);
  }, 120_000);

  // docker 28 refuses a per-network MAC address below API 1.44; berth needs checkEndpointMacs wired into its create path
  it('--mac-address against an API 1.41 daemon fails as docker', async () => {
    await steps([{ args: (n) => ['create', '--name', n('mac'), '--network', n('one'), '--mac-address', '02:42:ac:11:00:02', img, 'true'] }]);
  }, 60_000);

  it('removes networks (one unknown among them) and prunes by label', async () => {
    await steps([
      { args: (n, sub) => ['network', 'create', '--subnet', `${sub(10)}.0/24`, n('r1')] },
      { args: (n, sub) => ['network', 'create', '--subnet', `${sub(11)}.0/24`, n('r2')] },
      { args: (n) => ['network', 'rm', n('r1'), n('nosuch'), n('r2')] },
      { args: (n) => ['network', 'remove', n('nosuch')] },
      { args: (n) => ['network', 'rm', '-f', n('nosuch')] },
      { args: (n, sub) => ['network', 'create', '--subnet', `${sub(12)}.0/24`, '--label', `p=${n('')}`, n('p1')] },
      { args: (n) => ['network', 'prune', '--filter', `label=p=${n('')}`], input: 'n\n' },
      { args: (n) => ['network', 'ls', '-q', '-f', `name=${n('p1')}`] },
      { args: (n) => ['network', 'prune', '-f', '--filter', `label=p=${n('')}`] },
      { args: (n) => ['network', 'prune', '-f', '--filter', `label=p=${n('')}`] },
      { args: () => ['network', 'prune', '-f', '--filter', 'bogus'] },
      { args: () => ['network', 'prune', '-f', '--filter', 'until=bogus'] },
    ]);
  }, 120_000);
});
