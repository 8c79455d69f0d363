/**
 * GET /images/search and `docker search` / `berth search`: berthd asks the
 * v1 search API of the registry a term names. A small v1 search server in
 * this process on 127.0.0.1 stands in for a remote index (it is not the
 * thing under test); Debian's docker-registry, which has no v1 search,
 * gives dockerd's "Unexpected status code 404". The CLIs run asynchronously
 * (execFile) so that this process's server can answer while they wait.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../helpers/daemon.js';
import { bin } from '../helpers/paths.js';
import { tempRoot } from '../helpers/bundle.js';
import { startRegistry, type Registry } from '../containerd/storage.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';

const execFileAsync = promisify(execFile);
const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'docker-registry') && fs.existsSync(bin('berthd'));

const index = [
  { name: 'busybox', description: 'Busybox base image.', star_count: 3400, is_official: true, is_automated: false },
  { name: 'someone/busybox-tools', description: 'A busybox with extra tools\nand a long description that docker cuts at 45 characters', star_count: 3, is_official: false, is_automated: true },
  { name: 'other/busy-app', description: '', star_count: 1, is_official: false, is_automated: false },
  { name: 'unrelated/thing', description: 'not a match', star_count: 99, is_official: false, is_automated: false },
];

describe.skipIf(!available)('image search on berthd', () => {
  let d: Berthd;
  let registry: Registry;
  let server: http.Server;
  let searchHost = '';
  let dir = '';
  const asked: string[] = [];

  const run = async (cli: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await execFileAsync(cli, args, { env: d.env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  const docker = (...args: string[]) => run(dockerCli, args);
  const berth = (...args: string[]) => run(bin('berth'), args);

  beforeAll(async () => {
    dir = tempRoot('search');
    server = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      asked.push(`${req.method} ${u.pathname}?${u.searchParams.toString()}`);
      if (u.pathname !== '/v1/search') {
        res.writeHead(404).end();
        return;
      }
      const q = u.searchParams.get('q') ?? '';
      const n = Number(u.searchParams.get('n') ?? '25');
      const results = index.filter((r) => r.name.includes(q)).slice(0, n);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ num_results: results.length, query: q, results }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    searchHost = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    fs.mkdirSync(`${dir}/r`);
    registry = await startRegistry(`${dir}/r`);
    d = await startBerthd();
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
    await registry?.stop();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('prints docker\'s table from the index a term names', async () => {
    const r = await docker('search', `${searchHost}/busy`);
    expect(r.code, r.stderr).toBe(0);
    expect(asked).toContain('GET /v1/search?q=busy&n=25');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME +DESCRIPTION +STARS +OFFICIAL$/);
    expect(lines.slice(1).map((l) => l.trimEnd().split(/ {2,}/))).toEqual([
      ['busybox', 'Busybox base image.', '3400', '[OK]'],
      ['someone/busybox-tools', 'A busybox with extra tools and a long descri…', '3'],
      ['other/busy-app', '1'],
    ]);
    const b = await berth('search', `${searchHost}/busy`);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toBe(r.stdout);
  });

  it('passes --limit to the index and filters by stars and is-official', async () => {
    const limited = await docker('search', '--limit', '1', `${searchHost}/busy`);
    expect(limited.code, limited.stderr).toBe(0);
    expect(asked).toContain('GET /v1/search?q=busy&n=1');
    expect(limited.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/ +/)[0])).toEqual(['busybox']);
    const names = (out: string) => out.trimEnd().split('\n').slice(1).map((l) => l.split(/ +/)[0]);
    const stars = await docker('search', '--filter', 'stars=3', `${searchHost}/busy`);
    expect(names(stars.stdout)).toEqual(['busybox', 'someone/busybox-tools']);
    const official = await docker('search', '--filter', 'is-official=true', `${searchHost}/busy`);
    expect(names(official.stdout)).toEqual(['busybox']);
    const notOfficial = await berth('search', '-f', 'is-official=false', '-f', 'stars=2', `${searchHost}/busy`);
    expect(names(notOfficial.stdout)).toEqual(['someone/busybox-tools']);
    const noTrunc = await docker('search', '--no-trunc', '--format', '{{.Name}}|{{.Description}}|{{.IsOfficial}}', `${searchHost}/busybox-tools`);
    const berthNoTrunc = await berth('search', '--no-trunc', '--format', '{{.Name}}|{{.Description}}|{{.IsOfficial}}', `${searchHost}/busybox-tools`);
    expect(noTrunc.stdout).toBe('someone/busybox-tools|A busybox with extra tools and a long description that docker cuts at 45 characters|\n');
    expect(berthNoTrunc.stdout).toBe(noTrunc.stdout);
    const json = await docker('search', '--format', 'json', `${searchHost}/busybox`);
    const berthJson = await berth('search', '--format', 'json', `${searchHost}/busybox`);
    expect(berthJson.stdout).toBe(json.stdout);
  });

  it('refuses bad filters and limits in dockerd\'s words', async () => {
    const bad = await docker('search', '--filter', 'nope=1', `${searchHost}/busy`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Error response from daemon: invalid filter 'nope'");
    const limit = await docker('search', '--limit', '101', `${searchHost}/busy`);
    expect(limit.code).toBe(1);
    expect(limit.stderr).toContain('limit 101 is outside the range of [1, 100]');
  });

  it('answers dockerd\'s error for a registry without v1 search', async () => {
    const r = await docker('search', `${registry.host}/busybox`);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error response from daemon: Unexpected status code 404');
    const b = await berth('search', `${registry.host}/busybox`);
    expect(b.code).toBe(1);
    expect(b.stderr.trim()).toBe('Error response from daemon: Unexpected status code 404');
  });
});
