import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@berth/containerd/log';
import { parseFlags } from '../flags.js';
import { isLoopback, parseListenHost, planListeners } from './tcp-hosts.js';
import { selectFds } from './tcp-activation.js';

const quiet = createLogger('error', () => undefined);

describe('berthd -H addresses', () => {
  it('parses dockerd\'s forms', () => {
    expect(parseListenHost('unix:///run/x.sock')).toEqual({ kind: 'unix', host: 'unix:///run/x.sock', path: '/run/x.sock' });
    expect(parseListenHost('/run/x.sock')).toMatchObject({ kind: 'unix', path: '/run/x.sock' });
    expect(parseListenHost('tcp://127.0.0.1:2376')).toEqual({ kind: 'tcp', host: 'tcp://127.0.0.1:2376', address: '127.0.0.1', port: 2376 });
    expect(parseListenHost('tcp://')).toMatchObject({ address: '127.0.0.1', port: 2375 });
    expect(parseListenHost('0.0.0.0:9')).toMatchObject({ kind: 'tcp', address: '0.0.0.0', port: 9 });
    expect(parseListenHost('tcp://[::1]:5')).toMatchObject({ host: 'tcp://[::1]:5', address: '::1', port: 5 });
    expect(parseListenHost('fd://')).toEqual({ kind: 'fd', host: 'fd://', fd: undefined });
    expect(parseListenHost('fd://4')).toMatchObject({ kind: 'fd', fd: 4 });
  });

  it('refuses what dockerd refuses', () => {
    expect(() => parseListenHost('udp://1.2.3.4:5')).toThrow("invalid bind address (udp://1.2.3.4:5): unsupported proto 'udp'");
    expect(() => parseListenHost('fd://three')).toThrow('failed to parse systemd fd address: should be a number: three');
    expect(() => parseListenHost('tcp://1.2.3.4:5/path')).toThrow(/no path allowed/);
    expect(() => parseListenHost('unix://')).toThrow(/empty socket path/);
  });

  it('knows loopback addresses', async () => {
    expect(await isLoopback('127.0.0.1')).toBe(true);
    expect(await isLoopback('127.3.2.1')).toBe(true);
    expect(await isLoopback('::1')).toBe(true);
    expect(await isLoopback('localhost')).toBe(true);
    expect(await isLoopback('0.0.0.0')).toBe(false);
    expect(await isLoopback('::')).toBe(false);
    expect(await isLoopback('10.1.2.3')).toBe(false);
  });

  it('refuses tcp on a non-loopback address without --tlsverify, unless forced', async () => {
    await expect(planListeners(parseFlags(['-H', 'tcp://0.0.0.0:2375']), quiet)).rejects.toThrow(/refusing to listen on tcp:\/\/0\.0\.0\.0:2375 without --tlsverify.*--tls=false/);
    await expect(planListeners(parseFlags(['-H', 'tcp://127.0.0.1:2375']), quiet)).resolves.toMatchObject({ tls: undefined });
    await expect(planListeners(parseFlags(['-H', 'tcp://0.0.0.0:2375', '--tls=false']), quiet)).resolves.toMatchObject({ tls: undefined });
  });

  it('needs the certificate files TLS names', async () => {
    await expect(planListeners(parseFlags(['--tlsverify', '-H', 'tcp://127.0.0.1:1']), quiet)).rejects.toThrow('--tlsverify needs --tlscert (berthd has no default certificate paths)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tls-'));
    try {
      fs.writeFileSync(path.join(dir, 'bad.pem'), 'not a certificate\n');
      const bad = path.join(dir, 'bad.pem');
      await expect(planListeners(parseFlags(['--tls', '--tlscert', path.join(dir, 'none.pem'), '--tlskey', bad]), quiet)).rejects.toThrow(/could not read --tlscert .*none\.pem: ENOENT/);
      await expect(planListeners(parseFlags(['--tls', '--tlscert', bad, '--tlskey', bad]), quiet)).rejects.toThrow(/^invalid TLS configuration: /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(spawnSync('openssl', ['version']).status !== 0)('takes any address with --tlsverify; --tls alone is no client authentication', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tls-'));
    try {
      const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=t', '-keyout', 'k.pem', '-out', 'c.pem'], { cwd: dir });
      expect(made.status).toBe(0);
      const files = ['--tlscacert', path.join(dir, 'c.pem'), '--tlscert', path.join(dir, 'c.pem'), '--tlskey', path.join(dir, 'k.pem')];
      const verified = await planListeners(parseFlags(['-H', 'tcp://0.0.0.0:2376', '--tlsverify', ...files]), quiet);
      expect(verified.tls).toMatchObject({ verify: true, options: { requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' } });
      await expect(planListeners(parseFlags(['-H', 'tcp://0.0.0.0:2376', '--tls', ...files]), quiet)).rejects.toThrow(/refusing to listen/);
      const forced = await planListeners(parseFlags(['-H', 'tcp://0.0.0.0:2376', '--tls', '--tlsverify=false', ...files]), quiet);
      expect(forced.tls?.verify).toBe(false);
      expect(forced.tls?.options.requestCert).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('picks systemd\'s fds as dockerd does', () => {
    expect(() => selectFds([], undefined)).toThrow('no sockets found via socket activation: make sure the service was started by systemd');
    expect(selectFds([3], undefined)).toEqual([3]);
    expect(() => selectFds([3], 5)).toThrow('too few socket activated files passed in by systemd');
  });
});
