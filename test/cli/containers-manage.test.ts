/**
 * berth exec / logs / ps / inspect / top / diff / rename / update / export /
 * cp / commit / stats / container prune, each step compared with the real
 * docker CLI 28 at the same daemon (a private real dockerd 20.10; the tables
 * take only the target, so they can be pointed at berthd).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { busyboxRootfs } from '../helpers/paths.js';
import { dockerCli, loadBusybox, startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { compare, nameFor, type Scenario, type Target } from './containers-compare.js';
import { berthBin } from './run-berth.js';
import { img, manageCases, none } from './containers-manage-cases.js';

const available = process.getuid?.() === 0 && fs.existsSync(berthBin) && fs.existsSync(busyboxRootfs) && haveBinaries('dockerd', dockerCli, 'containerd', 'tar');


describe.skipIf(!available)('berth exec, logs, ps, inspect and more, judged by docker 28 at the same daemon', () => {
  let d: RealDockerd;
  let cases: Record<string, Scenario[]> = {};

  beforeAll(async () => {
    d = await startRealDockerd();
    loadBusybox(d, img);
    fs.writeFileSync(path.join(d.dir, 'local.txt'), 'from the host\n');
    cases = manageCases(d);
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
  }, 60_000);

  const titles = Object.keys(manageCases({ env: {}, dir: '' }));
  it.each(titles)('%s', async (title) => {
    for (const step of cases[title] ?? []) {
      const { docker, berth } = await compare(d, step);
      expect({ args: step.args(nameFor('bt')), ...berth }).toEqual({ args: step.args(nameFor('bt')), ...docker });
    }
  }, 180_000);

  it('copies the same files out as docker, and exports the same filesystem', () => {
    const files = (s: 'dk' | 'bt') => {
      const n = nameFor(s);
      const base = path.join(d.dir, `${n('out')}-`);
      const list = runCmd('tar', ['-tf', `${base}export.tar`]).stdout.split('\n').sort().join('\n');
      return { f: fs.readFileSync(`${base}f`, 'utf8'), y: fs.readFileSync(`${base}d/y`, 'utf8'), list };
    };
    const want = files('dk');
    expect(want.f).toBe('inside\n');
    expect(files('bt')).toEqual(want);
  });

  it('container prune removes the stopped containers', async () => {
    const steps: Scenario[] = [
      { args: () => ['container', 'prune', '-f', '--filter', 'label=nothing-has-this'] },
      // each side labels its own container and prunes by that label
      { args: (n) => ['run', '--name', n('pr'), '-l', `prune=${n('')}`, ...none, img, 'true'] },
      { args: (n) => ['container', 'prune', '-f', '--filter', `label=prune=${n('')}`] },
      { args: (n) => ['inspect', '-f', '{{.Name}}', n('pr')] },
    ];
    for (const step of steps) {
      const { docker, berth } = await compare(d, step);
      expect(berth).toEqual(docker);
    }
  });
});
