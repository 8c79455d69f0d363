import { describe, expect, it } from 'vitest';
import { decodeAuthHeader, parseChallenge, pushAuth } from './auth.js';
import { registryBase } from './client.js';
import { loginDomain } from './login.js';
import { rechunk } from './upload.js';

async function collect(it: AsyncIterable<Buffer>): Promise<number[]> {
  const sizes: number[] = [];
  for await (const b of it) sizes.push(b.length);
  return sizes;
}

async function* pieces(...sizes: number[]): AsyncIterable<Uint8Array> {
  for (const n of sizes) yield new Uint8Array(n);
}

describe('registry helpers', () => {
  it('rechunk regroups a stream into fixed-size buffers', async () => {
    expect(await collect(rechunk(pieces(3, 4, 5, 1), 5))).toEqual([5, 5, 3]);
    expect(await collect(rechunk(pieces(10), 5))).toEqual([5, 5]);
    expect(await collect(rechunk(pieces(), 5))).toEqual([]);
  });

  it('one access rule: plain HTTP for loopback only', () => {
    expect(registryBase('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBase('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBase('[::1]:5000')).toBe('http://[::1]:5000');
    expect(registryBase('registry.example.com')).toBe('https://registry.example.com');
    expect(registryBase('docker.io')).toBe('https://registry-1.docker.io');
  });

  it('login server addresses', () => {
    expect(loginDomain('https://index.docker.io/v1/')).toBe('docker.io');
    expect(loginDomain('')).toBe('docker.io');
    expect(loginDomain('http://127.0.0.1:5000/v2/')).toBe('127.0.0.1:5000');
    expect(() => loginDomain('bad host!')).toThrow(/invalid registry address/);
  });

  it('challenges and auth configs', () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull"')).toEqual({
      scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a:pull' },
    });
    const header = Buffer.from(JSON.stringify({ username: 'u', password: 'p', email: '' })).toString('base64url');
    expect(decodeAuthHeader(header)).toEqual({ username: 'u', password: 'p' });
    expect(pushAuth(undefined, Buffer.from('{"username":"u"}'))).toEqual({ username: 'u' });
    expect(() => pushAuth(undefined, Buffer.alloc(0))).toThrow('Bad parameters and missing X-Registry-Auth: EOF');
  });
});
