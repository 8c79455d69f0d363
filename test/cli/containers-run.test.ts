/**
 * berth run / create / start / attach / wait / rm / stop / kill against a
 * daemon, each step compared with the real docker CLI 28 at the same daemon:
 * stdout, stderr and exit status, with ids, names and times masked. The
 * daemon is a private real dockerd 20.10 (no bridge: containers use
 * --network none); the tables take only the target, so the same cases can
 * be pointed at berthd.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../helpers/daemon.js';
import { busyboxRootfs } from '../helpers/paths.js';
import { dockerCli, loadBusybox, startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { spawn } from 'node:child_process';
import { runCmd, shellQuote, waitUntil } from '../helpers/daemon.js';
import { clientEnv, compare, mask, nameFor, side, sideOnPty, type Scenario, type Target } from './containers-compare.js';
import { berthBin } from './run-berth.js';
import { img, none, prepareRunFiles, runCases } from './containers-run-cases.js';

const available = process.getuid?.() === 0 && fs.existsSync(berthBin) && fs.existsSync(busyboxRootfs) && haveBinaries('dockerd', dockerCli, 'containerd', 'script');

let target: Target = { env: {}, dir: '' };

describe.skipIf(!available)('berth run and friends, judged by docker 28 at the same daemon', () => {
  let d: RealDockerd;
  let cases: Record<string, Scenario[]> = {};

  beforeAll(async () => {
    d = await startRealDockerd();
    target = d;
    loadBusybox(d, img);
    prepareRunFiles(d);
    cases = runCases(d);
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
  }, 60_000);

  const titles = Object.keys(runCases({ env: {}, dir: '' }));
  it.each(titles)('%s', async (title) => {
    for (const step of cases[title] ?? []) {
      const { docker, berth } = await compare(d, step);
      expect({ args: step.args(nameFor('bt')), ...berth }).toEqual({ args: step.args(nameFor('bt')), ...docker });
    }
  }, 180_000);

  it('run -it on a terminal: raw mode, the tty, the exit status', () => {
    const args = (s: 'dk' | 'bt') => ['run', '-it', '--rm', '--name', nameFor(s)('tty'), ...none, img, 'sh', '-c', 'tty; stty size; echo "[$(cat /proc/self/comm)]"; exit 4'];
    const want = sideOnPty(d, 'dk', args('dk'));
    const got = sideOnPty(d, 'bt', args('bt'));
    expect(want.status).toBe(4);
    expect(got.status).toBe(want.status);
    // script echoes a ^@ at a moment that depends on timing
    const tidy = (x: string) => mask(x).replaceAll('^@', '');
    expect(tidy(got.stdout)).toBe(tidy(want.stdout));
    expect(got.stdout).toMatch(/\/dev\/pts\/0\r\n/);
  });

  it('exec -it on a terminal', async () => {
    for (const s of ['dk', 'bt'] as const) {
      const r = await compareOne(s, ['run', '-d', '--name', nameFor(s)('xt'), ...none, img, 'sleep', '300']);
      expect(r.status, r.stderr).toBe(0);
    }
    const args = (s: 'dk' | 'bt') => ['exec', '-it', nameFor(s)('xt'), 'sh', '-c', 'tty; echo "[$TERM]"; exit 6'];
    const want = sideOnPty(d, 'dk', args('dk'));
    const got = sideOnPty(d, 'bt', args('bt'));
    expect(want.status).toBe(6);
    expect(got.status).toBe(want.status);
    expect(mask(got.stdout).replaceAll('^@', '')).toBe(mask(want.stdout).replaceAll('^@', ''));
  });

  it('ctrl-p ctrl-q detaches from run -it and leaves the container running', () => {
    for (const s of ['dk', 'bt'] as const) {
      const n = nameFor(s)('dt');
      const line = shellQuote([s === 'dk' ? dockerCli : berthBin, 'run', '-it', '--name', n, ...none, img, 'sh', '-c', 'echo in; sleep 300']);
      // the keys come once the session is up (before raw mode, the tty would eat ctrl-q as XON)
      const r = runCmd('sh', ['-c', `(sleep 2; printf '\\020\\021'; sleep 2) | script -qec ${shellQuote([line])} /dev/null`], { env: clientEnv(d), timeoutMs: 30_000 });
      expect({ side: s, status: r.status }).toEqual({ side: s, status: 0 });
      expect(r.stdout).toContain('in\r\n');
      const state = runCmd(dockerCli, ['inspect', '-f', '{{.State.Running}}', n], { env: clientEnv(d) });
      expect(state.stdout).toBe('true\n');
    }
  });

  it('run -i ends with the container even while our stdin stays open', async () => {
    const run = async (s: 'dk' | 'bt') => {
      const child = spawn(s === 'dk' ? dockerCli : berthBin, ['run', '-i', '--rm', ...none, img, 'sh', '-c', 'read line; echo "got $line"; exit 2'], {
        env: clientEnv(d),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (x: string) => (out += x));
      child.stdin.write('first\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const status = await new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      clearTimeout(timer);
      return { status, out };
    };
    const want = await run('dk');
    expect(want).toEqual({ status: 2, out: 'got first\n' });
    expect(await run('bt')).toEqual(want);
  });

  it('forwards signals to the container (--sig-proxy), and exits with its status', async () => {
    const run = async (s: 'dk' | 'bt') => {
      const n = nameFor(s)('sig');
      const child = spawn(s === 'dk' ? dockerCli : berthBin, ['run', '--rm', '--name', n, ...none, img, 'sh', '-c', 'trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done'], {
        env: clientEnv(d),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (x: string) => (out += x));
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      await waitUntil(() => out.includes('ready'), 30_000, `${s} container to start`);
      child.kill('SIGTERM');
      return { status: await exited, out };
    };
    const want = await run('dk');
    const got = await run('bt');
    expect(want).toEqual({ status: 3, out: 'ready\ngot TERM\n' });
    expect(got).toEqual(want);
  });
});

/** One client run on one side, unmasked. */
function compareOne(s: 'dk' | 'bt', args: string[]) {
  return side(target, s, args);
}
