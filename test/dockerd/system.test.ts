/**
 * berthd's system endpoints judged by the real docker CLI 28 (and raw HTTP):
 * version, info, swarm refusals, ping headers, API version negotiation and
 * moby's error shapes. Needs root (berth-containerd), like the other daemons' tests.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../helpers/daemon.js';
import { bin } from '../helpers/paths.js';
import { dockerCli, request, startBerthd, type Berthd } from './berthd.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd'));

describe.skipIf(!available)('berthd system API through the real docker CLI', () => {
  let d: Berthd;

  beforeAll(async () => {
    d = await startBerthd();
  });

  afterAll(async () => {
    await d?.stop();
  });

  it('docker version shows the engine, API 1.45 and containerd', () => {
    const r = d.docker(['version']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Server: /);
    expect(r.stdout).toMatch(/Engine:\n\s+Version:\s+0\.1\.0/);
    expect(r.stdout).toMatch(/API version:\s+1\.45 \(minimum version 1\.24\)/);
    expect(r.stdout).toMatch(/containerd:\n\s+Version:\s+1\.6\.20-berth/);
    expect(r.stdout).toMatch(/runc:\n\s+Version:\s+\S+/);
  });

  it('docker version --format reads the server API version', () => {
    const r = d.docker(['version', '--format', '{{.Server.APIVersion}}']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('1.45');
  });

  it('docker info prints the server section', () => {
    const r = d.docker(['info']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Server Version: 0\.1\.0/);
    expect(r.stdout).toMatch(/Runtimes: .*\brunc\b/);
    expect(r.stdout).toMatch(/Default Runtime: runc/);
    expect(r.stdout).toMatch(/Cgroup Driver: cgroupfs/);
    expect(r.stdout).toMatch(/Cgroup Version: [12]/);
    expect(r.stdout).toMatch(/Swarm: inactive/);
    expect(r.stdout).toContain(`Docker Root Dir: ${d.dir}/data`);
    expect(r.stderr).not.toMatch(/error/i);
  });

  it('docker info --format {{json .}} is docker\'s Info', () => {
    const r = d.docker(['info', '--format', '{{json .}}']);
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(info.ServerVersion).toBe('0.1.0');
    expect(info.Containers).toBe(0);
    expect(info.Images).toBe(0);
    expect(info.Driver).toBe('overlayfs');
    expect(info.OSType).toBe('linux');
    expect(info.DefaultRuntime).toBe('runc');
    expect(info.CgroupDriver).toBe('cgroupfs');
    expect(typeof info.NCPU).toBe('number');
    expect(typeof info.MemTotal).toBe('number');
    expect((info.Swarm as { LocalNodeState: string }).LocalNodeState).toBe('inactive');
    expect(Object.keys(info.Runtimes as object)).toContain('runc');
    expect(info.Warnings ?? []).toEqual([]);
  });

  it('docker system info works', () => {
    const r = d.docker(['system', 'info']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Server Version: 0\.1\.0/);
  });

  it('docker swarm leave fails at once with docker\'s error', () => {
    const start = Date.now();
    const r = d.docker(['swarm', 'leave'], 10_000);
    expect(Date.now() - start).toBeLessThan(5_000);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('Error response from daemon: This node is not part of a swarm');
  });

  it('manager-only swarm commands fail with docker\'s error', () => {
    for (const args of [['node', 'ls'], ['service', 'ls'], ['swarm', 'unlock-key']]) {
      const r = d.docker(args, 10_000);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
    }
  });

  it('HEAD /_ping answers with docker\'s headers', async () => {
    for (const p of ['/_ping', '/v1.41/_ping']) {
      const r = await request(d.socket, 'HEAD', p);
      expect(r.status).toBe(200);
      expect(r.headers['api-version']).toBe('1.45');
      expect(r.headers.ostype).toBe('linux');
      expect(r.headers['docker-experimental']).toBe('false');
      expect(r.headers['builder-version']).toBe('1');
      expect(r.headers['cache-control']).toContain('no-cache');
      expect(r.headers.pragma).toBe('no-cache');
      expect(r.body).toBe('');
    }
    const get = await request(d.socket, 'GET', '/_ping');
    expect(get.status).toBe(200);
    expect(get.body).toBe('OK');
  });

  it('serves versioned and unversioned /version', async () => {
    for (const p of ['/version', '/v1.24/version', '/v1.45/version']) {
      const r = await request(d.socket, 'GET', p);
      expect(r.status, p).toBe(200);
      expect(r.headers['content-type']).toBe('application/json');
      const v = JSON.parse(r.body) as { ApiVersion: string; MinAPIVersion: string };
      expect(v.ApiVersion).toBe('1.45');
      expect(v.MinAPIVersion).toBe('1.24');
    }
  });

  it('refuses API versions out of range with moby\'s messages', async () => {
    const high = await request(d.socket, 'GET', '/v1.99/version');
    expect(high.status).toBe(400);
    expect(JSON.parse(high.body)).toEqual({ message: 'client version 1.99 is too new. Maximum supported API version is 1.45' });
    const low = await request(d.socket, 'GET', '/v1.12/version');
    expect(low.status).toBe(400);
    expect(JSON.parse(low.body)).toEqual({
      message: 'client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
    });
  });

  it('answers unknown paths with 404 page not found', async () => {
    for (const p of ['/nope', '/v1.45/nope']) {
      const r = await request(d.socket, 'GET', p);
      expect(r.status).toBe(404);
      expect(r.headers['content-type']).toBe('application/json');
      expect(JSON.parse(r.body)).toEqual({ message: 'page not found' });
    }
  });

  it('logs structured JSON lines and makes the socket 0660', () => {
    const lines = d.daemon.log().split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(fs.statSync(d.socket).mode & 0o777).toBe(0o660);
  });
});
