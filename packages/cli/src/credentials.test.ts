import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialsFor, defaultServer, registryAuthHeader, removeCredentials, serverKey, storeCredentials } from './credentials.js';

const dirs: string[] = [];
const envWithConfig = (): NodeJS.ProcessEnv => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-creds-'));
  dirs.push(dir);
  return { DOCKER_CONFIG: path.join(dir, 'cfg') };
};
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

const decode = (h: string): unknown => JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));

describe('credential store', () => {
  it('keys servers as docker does', () => {
    expect(serverKey(undefined)).toBe(defaultServer);
    expect(serverKey('docker.io')).toBe(defaultServer);
    expect(serverKey('https://index.docker.io/v1/')).toBe(defaultServer);
    expect(serverKey('http://127.0.0.1:5000/v2/')).toBe('127.0.0.1:5000');
    expect(serverKey('registry.example.com')).toBe('registry.example.com');
  });

  it('stores atomically with mode 0600, keeps other keys, removes one entry', () => {
    const env = envWithConfig();
    const file = path.join(env.DOCKER_CONFIG ?? '', 'config.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, JSON.stringify({ detachKeys: 'ctrl-x', auths: { a: { auth: 'YTpi' } } }));
    storeCredentials('127.0.0.1:5000', 'u', 'p:w', env);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['config.json']);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(doc).toEqual({ detachKeys: 'ctrl-x', auths: { a: { auth: 'YTpi' }, '127.0.0.1:5000': { auth: Buffer.from('u:p:w').toString('base64') } } });
    expect(credentialsFor('127.0.0.1:5000', env)).toEqual({ username: 'u', password: 'p:w' });
    expect(decode(registryAuthHeader('127.0.0.1:5000', env))).toEqual({ username: 'u', password: 'p:w', serveraddress: '127.0.0.1:5000' });
    expect(removeCredentials('127.0.0.1:5000', env)).toBe(true);
    expect(removeCredentials('127.0.0.1:5000', env)).toBe(false);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ detachKeys: 'ctrl-x', auths: { a: { auth: 'YTpi' } } });
  });

  it('sends an empty auth config when nothing is stored; finds scheme-prefixed keys', () => {
    const env = envWithConfig();
    expect(decode(registryAuthHeader('docker.io', env))).toEqual({});
    fs.mkdirSync(env.DOCKER_CONFIG ?? '');
    fs.writeFileSync(path.join(env.DOCKER_CONFIG ?? '', 'config.json'), JSON.stringify({ auths: { 'https://reg.example:443': { auth: 'eDp5' } } }));
    expect(credentialsFor('reg.example:443', env)).toEqual({ username: 'x', password: 'y' });
  });
});
