import { describe, expect, it } from 'vitest';
import { compareVersions } from './api-version.js';
import { defaultHost, parseFlags } from './flags.js';
import { parseRuncVersion } from './system/runtime.js';

describe('berthd flags', () => {
  it('takes dockerd\'s names and defaults', () => {
    const f = parseFlags(['-H', 'unix:///tmp/a.sock', '--host=unix:///tmp/b.sock', '--data-root', '/d', '--containerd=/c.sock', '-D']);
    expect(f.hosts).toEqual(['unix:///tmp/a.sock', 'unix:///tmp/b.sock']);
    expect(f.dataRoot).toBe('/d');
    expect(f.containerd).toBe('/c.sock');
    expect(f.containerdNamespace).toBe('moby');
    expect(f.logLevel).toBe('debug');
    expect(parseFlags([]).hosts).toEqual([defaultHost]);
    expect(parseFlags(['-D', '--log-level', 'warn']).logLevel).toBe('warn');
    expect(parseFlags(['--dns', '127.0.0.53', '--dns=10.0.0.2']).dns).toEqual(['127.0.0.53', '10.0.0.2']);
    expect(parseFlags([]).dns).toEqual([]);
    const reg = parseFlags(['--insecure-registry', '10.0.0.0/8', '--insecure-registry=reg.example:5000', '--registry-mirror', 'https://mirror.example']);
    expect([reg.insecureRegistries, reg.registryMirrors]).toEqual([['10.0.0.0/8', 'reg.example:5000'], ['https://mirror.example/']]);
    expect(() => parseFlags(['--registry-mirror', 'ftp://m.example'])).toThrow('invalid mirror: unsupported scheme "ftp" in "ftp://m.example"');
  });

  it('takes dockerd\'s TLS flags, telling "not given" from false', () => {
    const f = parseFlags(['--tlsverify', '--tlscacert', '/c/ca.pem', '--tlscert=/c/cert.pem', '--tlskey', '/c/key.pem']);
    expect([f.tls, f.tlsVerify, f.tlsCaCert, f.tlsCert, f.tlsKey]).toEqual([undefined, true, '/c/ca.pem', '/c/cert.pem', '/c/key.pem']);
    const none = parseFlags([]);
    expect([none.tls, none.tlsVerify]).toEqual([undefined, undefined]);
    expect(parseFlags(['--tls=false']).tls).toBe(false);
    expect(parseFlags(['--tls', '--tlsverify=false']).tlsVerify).toBe(false);
    expect(() => parseFlags(['--tls=maybe'])).toThrow('invalid boolean value "maybe" for --tls');
  });

  it('refuses unknown flags and missing values', () => {
    expect(() => parseFlags(['--nope'])).toThrow(/unknown flag/);
    expect(() => parseFlags(['--data-root'])).toThrow(/needs an argument/);
    expect(() => parseFlags(['--log-level', 'loud'])).toThrow(/logging level/);
    expect(() => parseFlags(['--dns', 'foo'])).toThrow('invalid argument "foo" for "--dns" flag: foo is not an ip address');
  });
});

describe('API versions', () => {
  it('compares part by part, like moby', () => {
    expect(compareVersions('1.9', '1.24')).toBeLessThan(0);
    expect(compareVersions('1.45', '1.45')).toBe(0);
    expect(compareVersions('1.100', '1.45')).toBeGreaterThan(0);
    expect(compareVersions('2', '1.45')).toBeGreaterThan(0);
  });

  it('parses runc --version', () => {
    expect(parseRuncVersion('runc version 1.1.12\ncommit: v1.1.12-0-g51d5e94\nspec: 1.0.2\n')).toEqual({ version: '1.1.12', commit: 'v1.1.12-0-g51d5e94' });
    expect(parseRuncVersion('garbage')).toBeUndefined();
  });
});
