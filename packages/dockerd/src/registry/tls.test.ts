import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tlsDetail } from './errors.js';
import { splitSearchTerm, searchEndpoint } from './search.js';
import { certsDir, readHostTls } from './tls.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-certsd-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('certs.d', () => {
  it('is /etc/berth/certs.d unless BERTH_CERTS_D says otherwise', () => {
    expect(certsDir({})).toBe('/etc/berth/certs.d');
    expect(certsDir({ BERTH_CERTS_D: '/x' })).toBe('/x');
  });

  it('reads a host:port directory: *.crt CAs and a .cert/.key pair', () => {
    const dir = path.join(root, 'a', '10.1.2.1:5000');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'CA1');
    fs.writeFileSync(path.join(dir, 'other.crt'), 'CA2');
    fs.writeFileSync(path.join(dir, 'client.cert'), 'CERT');
    fs.writeFileSync(path.join(dir, 'client.key'), 'KEY');
    fs.writeFileSync(path.join(dir, 'README'), 'ignored');
    expect(readHostTls('10.1.2.1:5000', path.join(root, 'a'))).toEqual({ ca: ['CA1', 'CA2'], cert: 'CERT', key: 'KEY' });
    expect(readHostTls('10.1.2.1:5001', path.join(root, 'a'))).toBeUndefined();
  });

  it('refuses a client certificate without its key, and the reverse, in docker\'s words', () => {
    const dir = path.join(root, 'b', 'h:1');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'client.cert'), 'CERT');
    expect(() => readHostTls('h:1', path.join(root, 'b'))).toThrow('missing key client.key for client certificate client.cert. CA certificates must use the extension .crt');
    fs.renameSync(path.join(dir, 'client.cert'), path.join(dir, 'c.key'));
    expect(() => readHostTls('h:1', path.join(root, 'b'))).toThrow('missing client certificate c.cert for key c.key');
  });
});

describe('TLS failures in Go words', () => {
  it('names an unknown authority, a name mismatch and HTTP met with HTTPS', () => {
    expect(tlsDetail({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, '10.0.0.1')).toBe('tls: failed to verify certificate: x509: certificate signed by unknown authority');
    expect(tlsDetail({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', cert: { subjectaltname: 'DNS:reg.example, IP Address:10.0.0.2' } }, '10.0.0.1'))
      .toBe('tls: failed to verify certificate: x509: certificate is valid for 10.0.0.2, not 10.0.0.1');
    expect(tlsDetail({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, 'h')).toBe('http: server gave HTTP response to HTTPS client');
    expect(tlsDetail({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }, 'h')).toBe('remote error: tls: certificate required');
    expect(tlsDetail({ code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' }, 'h')).toBe('remote error: tls: unknown certificate authority');
    expect(tlsDetail({ code: 'ECONNREFUSED' }, 'h')).toBeUndefined();
  });
});

describe('search terms', () => {
  it('names an index only when the first element looks like a host', () => {
    expect(splitSearchTerm('busybox')).toEqual({ index: 'docker.io', remote: 'busybox' });
    expect(splitSearchTerm('someone/tools')).toEqual({ index: 'docker.io', remote: 'someone/tools' });
    expect(splitSearchTerm('127.0.0.1:5000/busy')).toEqual({ index: '127.0.0.1:5000', remote: 'busy' });
    expect(splitSearchTerm('localhost/x/y')).toEqual({ index: 'localhost', remote: 'x/y' });
    expect(searchEndpoint('docker.io')).toBe('https://index.docker.io/v1/');
    expect(searchEndpoint('127.0.0.1:5000')).toBe('http://127.0.0.1:5000/v1/');
    expect(searchEndpoint('reg.example:443')).toBe('https://reg.example:443/v1/');
  });
});
