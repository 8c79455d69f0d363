/**
 * A docker-compose v1 project (Debian's docker-compose 1.29) against berthd:
 * two services on the project's default network (a user-defined bridge made
 * by compose), a named volume, a published port on 127.0.0.1. The services
 * reach each other by service name through the embedded DNS server, the host
 * reaches the published port, and `docker-compose down -v` leaves no
 * container, network, volume, bridge, iptables rule or network namespace.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { tempRoot } from '../helpers/bundle.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';
import { freePort, httpGetRetry } from './net-helpers.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'docker-compose', 'ip', 'iptables', 'iptables-save', 'unshare', 'nsenter') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

const composeFile = (port: number) => `version: "2.4"
services:
  web:
    image: busybox:latest
    stop_grace_period: 1s
    command: ["sh", "-c", "mkdir -p /data/www && echo hello-compose > /data/www/index.html && exec httpd -f -p 80 -h /data/www"]
    volumes:
      - data:/data
    ports:
      - "127.0.0.1:${port}:80"
  client:
    image: busybox:latest
    stop_grace_period: 1s
    command: ["sleep", "3600"]
    depends_on:
      - web
volumes:
  data: {}
`;

describe.skipIf(!available)('a docker-compose v1 project on berthd', () => {
  let d: Berthd;
  let dir = '';
  let port = 0;
  const project = `bt${randomBytes(3).toString('hex')}`;
  const compose = (args: string[], timeoutMs = 120_000) => runCmd('docker-compose', ['-p', project, '-f', path.join(dir, 'docker-compose.yml'), ...args], { env: { ...d.env, COMPOSE_INTERACTIVE_NO_CLI: '1' }, timeoutMs });
  const ok = (args: string[]) => {
    const r = compose(args);
    expect(r.status, `docker-compose ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const docker = (...args: string[]) => d.docker(args).stdout.trim();
  let bridge = '';

  beforeAll(async () => {
    d = await startBerthd();
    loadBusyboxImage(d);
    dir = tempRoot('compose');
    port = await freePort();
    fs.writeFileSync(path.join(dir, 'docker-compose.yml'), composeFile(port));
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
    if (bridge !== '' && fs.existsSync(`/sys/class/net/${bridge}`)) runCmd('ip', ['link', 'del', bridge]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('comes up: the services talk by service name, the published port answers, the volume holds the data', async () => {
    ok(['up', '-d']);
    const netId = docker('network', 'inspect', '-f', '{{.Id}}', `${project}_default`);
    expect(netId).toMatch(/^[0-9a-f]{64}$/);
    bridge = `br-${netId.slice(0, 12)}`;
    expect(fs.existsSync(`/sys/class/net/${bridge}`)).toBe(true);
    expect(docker('ps', '--filter', `network=${project}_default`, '--format', '{{.Names}}').split('\n').sort()).toEqual([`${project}_client_1`, `${project}_web_1`]);
    const got = ok(['exec', '-T', 'client', 'sh', '-c', 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 5 web 80 | tail -n 1']);
    expect(got).toBe('hello-compose\n');
    expect(await httpGetRetry('127.0.0.1', port)).toBe('hello-compose\n');
    expect(docker('volume', 'ls', '-q')).toBe(`${project}_data`);
    // a second `up` finds everything as compose left it and changes nothing
    const again = compose(['up', '-d']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/is up-to-date/);
  }, 240_000);

  it('goes down with -v leaving nothing behind', () => {
    ok(['down', '-v']);
    expect(docker('ps', '-aq')).toBe('');
    expect(docker('network', 'ls', '--filter', 'type=custom', '-q')).toBe('');
    expect(docker('volume', 'ls', '-q')).toBe('');
    expect(fs.existsSync(`/sys/class/net/${bridge}`)).toBe(false);
    expect(runCmd('iptables-save', []).stdout).not.toContain(bridge);
    const netns = path.join(d.dir, 'exec', 'netns');
    expect(fs.existsSync(netns) ? fs.readdirSync(netns) : []).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(netns);
  }, 120_000);
});
