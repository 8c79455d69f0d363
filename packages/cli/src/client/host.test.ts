import { describe, expect, it } from 'vitest';
import { chooseHost, DEFAULT_HOST, parseHost } from './host.js';
import { compareVersions, negotiate, pinnedVersion } from './version.js';
import { apiError } from './api.js';
import { connectError } from './http.js';

describe('choosing the daemon address', () => {
  it('takes -H, then BERTH_HOST, then DOCKER_HOST, then berthd\'s socket', () => {
    const env = { BERTH_HOST: 'unix:///b.sock', DOCKER_HOST: 'unix:///d.sock' };
    expect(chooseHost({ flag: 'tcp://h:1', env })).toBe('tcp://h:1');
    expect(chooseHost({ env })).toBe('unix:///b.sock');
    expect(chooseHost({ env: { DOCKER_HOST: 'unix:///d.sock' } })).toBe('unix:///d.sock');
    expect(chooseHost({ env: { BERTH_HOST: '', DOCKER_HOST: '' } })).toBe(DEFAULT_HOST);
    expect(DEFAULT_HOST).toBe('unix:///run/berth/berthd.sock');
  });
});

describe('parsing host addresses as docker does', () => {
  it('reads unix sockets', () => {
    expect(parseHost('unix:///run/x.sock')).toEqual({ kind: 'unix', socketPath: '/run/x.sock', url: 'unix:///run/x.sock' });
    expect(parseHost('unix://')).toMatchObject({ socketPath: '/run/berth/berthd.sock' });
    expect(() => parseHost('unix://relative.sock')).toThrow(/must be absolute/);
  });

  it('reads tcp and http addresses, with docker\'s default port', () => {
    expect(parseHost('tcp://10.0.0.1:2376')).toEqual({ kind: 'tcp', host: '10.0.0.1', port: 2376, url: 'tcp://10.0.0.1:2376' });
    expect(parseHost('tcp://example.com')).toMatchObject({ host: 'example.com', port: 2375 });
    expect(parseHost('http://127.0.0.1:80/')).toMatchObject({ host: '127.0.0.1', port: 80 });
    expect(parseHost('127.0.0.1:9999')).toMatchObject({ kind: 'tcp', port: 9999 });
    expect(parseHost('tcp://:1234')).toMatchObject({ host: '127.0.0.1', port: 1234 });
    expect(parseHost('tcp://[::1]:2375')).toEqual({ kind: 'tcp', host: '::1', port: 2375, url: 'tcp://[::1]:2375' });
  });

  it('rejects what it cannot reach', () => {
    expect(() => parseHost('ssh://user@host')).toThrow(/unsupported scheme "ssh"/);
    expect(() => parseHost('tcp://h:99999')).toThrow(/invalid port/);
    expect(() => parseHost('tcp://h:1/path')).toThrow(/no path allowed/);
  });
});

describe('API version negotiation', () => {
  it('uses the lower of the server\'s and 1.45', () => {
    expect(negotiate('1.41')).toBe('1.41');
    expect(negotiate('1.50')).toBe('1.45');
    expect(negotiate('1.45')).toBe('1.45');
    expect(negotiate(undefined)).toBe('1.24');
    expect(compareVersions('1.9', '1.10')).toBe(-1);
  });

  it('lets DOCKER_API_VERSION (or BERTH_API_VERSION) pin the version', () => {
    expect(pinnedVersion({ DOCKER_API_VERSION: '1.40' })).toBe('1.40');
    expect(pinnedVersion({ BERTH_API_VERSION: 'v1.43', DOCKER_API_VERSION: '1.40' })).toBe('1.43');
    expect(pinnedVersion({})).toBeUndefined();
  });
});

describe('errors in docker\'s words', () => {
  it('says the daemon is not running when the socket cannot be reached', () => {
    const ep = parseHost('unix:///nope.sock');
    const err = connectError(ep, Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' }));
    expect(err.message).toBe('Cannot connect to the berth daemon at unix:///nope.sock. Is the berth daemon running?');
    expect(connectError(ep, Object.assign(new Error('EACCES'), { code: 'EACCES' })).message).toMatch(/^permission denied while trying to connect/);
  });

  it('shows the daemon\'s message with the kind of its status', () => {
    const e = apiError(404, '{"message":"No such container: x"}');
    expect(e.message).toBe('Error response from daemon: No such container: x');
    expect(e.code).toBe('NotFound');
    expect(apiError(500, 'plain text\n').message).toBe('Error response from daemon: plain text');
    expect(apiError(409, '{}').code).toBe('Conflict');
  });
});
