import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certDir, clientTls } from './tls.js';
import { tlsConnectError } from './tls-errors.js';

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

describe.skipIf(!haveOpenssl)('the CLI\'s TLS files, as docker reads them', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cli-tls-'));
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=t', '-keyout', 'key.pem', '-out', 'cert.pem'], { cwd: dir });
    expect(r.status).toBe(0);
    fs.copyFileSync(path.join(dir, 'cert.pem'), path.join(dir, 'ca.pem'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is off unless --tls, --tlsverify or DOCKER_TLS_VERIFY says otherwise', () => {
    expect(clientTls({}, {})).toBeUndefined();
    expect(clientTls({}, { DOCKER_TLS_VERIFY: '' })).toBeUndefined();
    expect(clientTls({}, { DOCKER_TLS_VERIFY: '0', DOCKER_CERT_PATH: dir })).toMatchObject({ verify: true });
    expect(clientTls({ tls: true }, { DOCKER_CERT_PATH: dir })).toMatchObject({ verify: false });
  });

  it('finds ca/cert/key.pem in DOCKER_CERT_PATH, else DOCKER_CONFIG, else ~/.docker', () => {
    expect(certDir({ DOCKER_CERT_PATH: '/c', DOCKER_CONFIG: '/d', HOME: '/h' })).toBe('/c');
    expect(certDir({ DOCKER_CONFIG: '/d', HOME: '/h' })).toBe('/d');
    expect(certDir({ HOME: '/h' })).toBe('/h/.docker');
    const t = clientTls({ tlsverify: true }, { DOCKER_CERT_PATH: dir });
    expect(t?.cert?.toString()).toContain('BEGIN CERTIFICATE');
    expect(t?.key?.toString()).toContain('PRIVATE KEY');
  });

  it('needs the CA, leaves out a missing default cert or key, and reads named ones', () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty, { recursive: true });
    expect(() => clientTls({ tlsverify: true }, { DOCKER_CERT_PATH: empty }))
      .toThrow(`Failed to initialize: unable to resolve berth endpoint: open ${empty}/ca.pem: no such file or directory`);
    const noClient = clientTls({ tlsverify: true, tlscacert: path.join(dir, 'ca.pem') }, { DOCKER_CERT_PATH: empty });
    expect(noClient).toEqual({ ca: fs.readFileSync(path.join(dir, 'ca.pem')), verify: true });
    expect(() => clientTls({ tlsverify: true, tlscacert: path.join(dir, 'ca.pem'), tlscert: path.join(empty, 'c.pem') }, {}))
      .toThrow(`open ${empty}/c.pem: no such file or directory`);
  });

  it('says what docker says of bad files', () => {
    const bad = path.join(dir, 'bad.pem');
    fs.writeFileSync(bad, 'garbage\n');
    expect(() => clientTls({ tlsverify: true, tlscacert: bad }, {})).toThrow('Failed to initialize: failed to retrieve context tls info: ca.pem seems invalid');
    expect(() => clientTls({ tlsverify: true, tlscacert: path.join(dir, 'ca.pem'), tlscert: path.join(dir, 'cert.pem'), tlskey: bad }, {}))
      .toThrow('Failed to initialize: no valid private key found');
  });
});

describe('TLS connection errors in docker\'s words', () => {
  const err = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it('names the alert the daemon sent, or why its certificate was refused', () => {
    expect(tlsConnectError('https://h:1/_ping', 'GET', err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'))?.message)
      .toBe('error during connect: Get "https://h:1/_ping": remote error: tls: certificate required');
    expect(tlsConnectError('https://h:1/x', 'POST', err('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'))?.message)
      .toBe('error during connect: Post "https://h:1/x": remote error: tls: unknown certificate authority');
    expect(tlsConnectError('https://h:1/x', 'GET', err('SELF_SIGNED_CERT_IN_CHAIN'))?.message)
      .toBe('error during connect: Get "https://h:1/x": tls: failed to verify certificate: x509: certificate signed by unknown authority');
    expect(tlsConnectError('https://h:1/x', 'GET', err('ENOTFOUND'))).toBeUndefined();
  });
});
