/**
 * The berth CLI's container scenario tables (containers-run-cases.ts,
 * containers-manage-cases.ts) pointed at berthd: each step run by the real
 * docker CLI 28 and by berth against the same berthd, stdout, stderr and
 * exit status compared (ids, names and times masked). The same tables run
 * against a real dockerd in containers-run.test.ts / containers-manage.test.ts,
 * so berth is judged by docker on both daemons.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { loadBusybox } from '../helpers/real-dockerd.js';
import { dockerCli, startBerthd, type Berthd } from '../dockerd/berthd.js';
import { compare, mask, nameFor, sideOnPty, type Scenario } from './containers-compare.js';
import { manageCases, img as manageImage } from './containers-manage-cases.js';
import { img as runImage, none, prepareRunFiles, runCases } from './containers-run-cases.js';
import { berthBin } from './run-berth.js';

const available = process.getuid?.() === 0 && fs.existsSync(berthBin) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs) && haveBinaries(dockerCli, 'script', 'tar');

describe.skipIf(!available)('berth and docker 28 against berthd: the container scenario tables', () => {
  let d: Berthd;
  let cases: Record<string, Scenario[]> = {};

  beforeAll(async () => {
    d = await startBerthd();
    loadBusybox(d, runImage);
    loadBusybox(d, manageImage);
    prepareRunFiles(d);
    fs.writeFileSync(`${d.dir}/local.txt`, 'from the host\n');
    cases = { ...runCases(d), ...manageCases(d) };
  }, 180_000);

  afterAll(async () => {
    await d?.stop();
  }, 120_000);

  const titles = [...Object.keys(runCases({ env: {}, dir: '' })), ...Object.keys(manageCases({ env: {}, dir: '' }))];
  it.each(titles)('%s', async (title) => {
    for (const step of cases[title] ?? []) {
      const { docker, berth } = await compare(d, step);
      expect({ args: step.args(nameFor('bt')), ...berth }).toEqual({ args: step.args(nameFor('bt')), ...docker });
    }
  }, 180_000);

  it('run -it on a terminal: the same screen and exit status from both clients', () => {
    const args = (s: 'dk' | 'bt') => ['run', '-it', '--rm', '--name', nameFor(s)('tty'), ...none, runImage, 'sh', '-c', 'tty; echo "[$TERM]"; exit 4'];
    const want = sideOnPty(d, 'dk', args('dk'));
    const got = sideOnPty(d, 'bt', args('bt'));
    expect(want.status).toBe(4);
    expect(got.status).toBe(4);
    const tidy = (x: string) => mask(x).replaceAll('^@', '');
    expect(tidy(got.stdout)).toBe(tidy(want.stdout));
  });
});
