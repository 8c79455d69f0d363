/**
 * berth against berthd (bin/berth-containerd + bin/berthd on private sockets,
 * started by test/dockerd/berthd.ts), with the real docker CLI 28 as the
 * reference for the same questions.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../helpers/daemon.js';
import { bin } from '../helpers/paths.js';
import { dockerCli, startBerthd, type Berthd } from '../dockerd/berthd.js';
import { berth, berthBin, cleanEnv } from './run-berth.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(berthBin);

describe.skipIf(!available)('berth against berthd', () => {
  let d: Berthd;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    d = await startBerthd();
    env = cleanEnv({ BERTH_HOST: `unix://${d.socket}` });
  });

  afterAll(async () => {
    await d?.stop();
  });

  it('answers version and info --format as the docker CLI does', async () => {
    for (const args of [
      ['version', '--format', '{{.Server.APIVersion}}'],
      ['info', '--format', '{{.ServerVersion}}'],
      ['version', '--format', '{{json .Server.Components}}'],
      ['system', 'info', '--format', '{{.Driver}} {{.Swarm.LocalNodeState}} {{json .Runtimes}}'],
    ]) {
      const want = d.docker(args);
      const got = await berth(args, env);
      expect(got.status, got.stderr).toBe(0);
      expect(got.stdout).toBe(want.stdout);
    }
    expect((await berth(['version', '--format', '{{.Client.APIVersion}}'], env)).stdout).toBe('1.45\n');
  });

  it('prints the Server: pages', async () => {
    const v = await berth(['version'], env);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/\nServer:.*\n Engine:\n  Version: +0\.1\.0\n  API version: +1\.45 \(minimum version 1\.24\)\n/);
    const want = d.docker(['version']).stdout;
    expect(v.stdout.slice(v.stdout.indexOf('\nServer:'))).toBe(want.slice(want.indexOf('\nServer:')));
    const i = await berth(['info'], env);
    expect(i.status, i.stderr).toBe(0);
    expect(i.stdout).toContain(`Docker Root Dir: ${d.dir}/data`);
    expect(i.stdout).toMatch(/\n Server Version: 0\.1\.0\n/);
  });
});
