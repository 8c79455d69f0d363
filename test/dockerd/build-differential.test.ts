/**
 * The classic builder's stream, berthd against the real dockerd 20.10 (the
 * judge), for the same contexts: every line the docker CLI 28 prints, with
 * image and container IDs (which differ by nature) replaced by <id>, must be
 * the same; also for a cached rebuild and for a failing RUN.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { loadBusybox, startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'dockerd') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

const contexts: Record<string, Record<string, string>> = {
  simple: {
    Dockerfile: 'FROM busybox\nENV A=b\nWORKDIR /app\nCOPY f.txt .\nRUN echo ran && cat f.txt\nCMD ["cat", "f.txt"]\n',
    'f.txt': 'content\n',
  },
  scratch: { Dockerfile: 'FROM scratch\nCOPY f.txt /\nLABEL a=b\n', 'f.txt': 'x\n' },
  stages: {
    Dockerfile: 'ARG BASE=busybox\nFROM ${BASE} AS one\nENV A=1 \\\n    B="two words"\nRUN echo "$A $B"\nFROM busybox\nARG BASE\nRUN echo "base=$BASE"\nCOPY --from=one /etc/passwd /p\nEXPOSE 80 53/udp\nUSER 1000\nLABEL x=y\nVOLUME /v\n',
  },
  copies: {
    Dockerfile: 'FROM busybox\nWORKDIR app\nWORKDIR sub\nCOPY dir ./d\nCOPY f1 f2 /multi/\nADD f1 /added\nRUN ls -R /app /multi /added\nHEALTHCHECK CMD true\nSTOPSIGNAL SIGINT\nENTRYPOINT ["echo"]\n',
    'dir/a': 'a\n', 'dir/s/b': 'b\n', f1: '1\n', f2: '2\n',
  },
  parse: { Dockerfile: 'FROM busybox\nENV A=b\nFOO bar\n' },
  missing: { Dockerfile: 'FROM busybox\nCOPY nothere.txt /\n' },
  outside: { Dockerfile: 'FROM busybox\nCOPY ../outside.txt /\n' },
  failing: { Dockerfile: 'FROM busybox\nRUN echo before && exit 3\n' },
};

/** The stream with IDs and the context size (the CLI's own first line) made comparable. */
const normalize = (s: string): string =>
  s.replace(/\b[0-9a-f]{64}\b|\b[0-9a-f]{12}\b/g, '<id>').replace(/daemon\s+[\d.]+k?B/, 'daemon <size>').replace(/ --->\s*\n/g, ' ---> \n');

describe.skipIf(!available)('docker build output: berthd vs the real dockerd 20.10', () => {
  let real: RealDockerd;
  let berthd: Berthd;
  let work: string;
  const build = (env: NodeJS.ProcessEnv, args: string[]) => runCmd(dockerCli, ['build', ...args], { env: { ...env, DOCKER_BUILDKIT: '0' }, timeoutMs: 180_000 });

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-build-diff-'));
    for (const [name, files] of Object.entries(contexts)) {
      for (const [f, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(work, name, f)), { recursive: true });
        fs.writeFileSync(path.join(work, name, f), text);
      }
    }
    real = await startRealDockerd();
    loadBusybox(real, 'busybox:latest');
    berthd = await startBerthd();
    loadBusyboxImage(berthd);
  }, 240_000);
  afterAll(async () => {
    await berthd?.stop();
    await real?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }, 120_000);

  for (const name of Object.keys(contexts)) {
    it(`prints what dockerd prints for the ${name} context, built and then rebuilt`, () => {
      const ctx = path.join(work, name);
      for (const round of ['first', 'cached']) {
        const flags = ['--force-rm', '-t', `${name}:x`, '--label', 'b=c', '--label', 'a=1', ...(round === 'cached' && name === 'simple' ? ['-q'] : [])];
        const want = build(real.env, [...flags, ctx]);
        const got = build(berthd.env, [...flags, ctx]);
        expect(normalize(got.stdout), `${round}: ${got.stderr}`).toBe(normalize(want.stdout));
        expect(got.stderr.replace(/^DEPRECATED[\s\S]*?\n\n/, '')).toBe(want.stderr.replace(/^DEPRECATED[\s\S]*?\n\n/, ''));
        expect(got.status).toBe(want.status);
      }
    }, 300_000);
  }
});
