/**
 * berthd against the real dockerd 20.10 (Debian docker.io, private socket, roots
 * and no networking changes), both asked by the same docker CLI 28: the JSON
 * shapes the CLI reads must have the same keys.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../helpers/daemon.js';
import { startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { bin } from '../helpers/paths.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'dockerd', 'containerd') && fs.existsSync(bin('berthd'));

describe.skipIf(!available)('berthd and the real dockerd answer the docker CLI alike', () => {
  let berthd: Berthd;
  let real: RealDockerd | undefined;
  const realDocker = (args: string[]) => {
    if (!real) throw new Error('dockerd did not start');
    return real.docker(args, 20_000);
  };

  beforeAll(async () => {
    berthd = await startBerthd();
    real = await startRealDockerd();
  });

  afterAll(async () => {
    await berthd?.stop();
    await real?.stop();
  });

  const keysOf = (out: string): string[] => Object.keys(JSON.parse(out) as object).sort();

  it('docker version --format {{json .Server}} has the same keys', () => {
    const ours = berthd.docker(['version', '--format', '{{json .Server}}']);
    const theirs = realDocker(['version', '--format', '{{json .Server}}']);
    expect(ours.status, ours.stderr).toBe(0);
    expect(theirs.status, theirs.stderr).toBe(0);
    expect(keysOf(ours.stdout)).toEqual(keysOf(theirs.stdout));
    const names = (out: string) => (JSON.parse(out) as { Components: { Name: string }[] }).Components.map((c) => c.Name);
    expect(names(ours.stdout).slice(0, 3)).toEqual(names(theirs.stdout).slice(0, 3));
  });

  it('docker info --format {{json .}} has every key the real one has', () => {
    const ours = keysOf(berthd.docker(['info', '--format', '{{json .}}']).stdout);
    const theirs = keysOf(realDocker(['info', '--format', '{{json .}}']).stdout);
    // dockerd 20.10 speaks API 1.41; KernelMemory and KernelMemoryTCP left /info in 1.42
    const removedAfter141 = ['KernelMemory', 'KernelMemoryTCP'];
    expect(theirs.filter((k) => !ours.includes(k) && !removedAfter141.includes(k))).toEqual([]);
  });

  it('docker swarm leave fails alike', () => {
    const ours = berthd.docker(['swarm', 'leave']);
    const theirs = realDocker(['swarm', 'leave']);
    expect(ours.status).toBe(theirs.status);
    expect(ours.stderr).toBe(theirs.stderr);
  });
});
