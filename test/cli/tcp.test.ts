/**
 * berth over tcp:// against a tiny Engine API peer on 127.0.0.1 (a stand-in
 * daemon, not the thing under test): the address forms, the /_ping version
 * negotiation and the /v1.xx prefix it leads to, and DOCKER_API_VERSION.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { berth, berthBin, cleanEnv, startPeer, type Peer } from './run-berth.js';

const version = {
  Platform: { Name: 'Peer Engine' },
  Components: [{ Name: 'Engine', Version: '9.9.9', Details: { ApiVersion: '1.43', MinAPIVersion: '1.24', BuildTime: '2025-01-02T03:04:05.000000000+00:00' } }],
  Version: '9.9.9',
  ApiVersion: '1.43',
};

describe.skipIf(!fs.existsSync(berthBin))('berth over tcp://', () => {
  let peer: Peer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  it('negotiates down to the server\'s API version', async () => {
    peer = await startPeer('1.43', version);
    const r = await berth(['version', '--format', '{{.Server.Version}} {{.Client.APIVersion}} {{(index .Server.Components 0).Details.BuildTime}}'], cleanEnv({ DOCKER_HOST: peer.url }));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('9.9.9 1.43 Thu Jan  2 03:04:05 2025\n');
    expect(peer.paths).toEqual(['/_ping', '/v1.43/version']);
  });

  it('never asks for more than 1.45, and prints the Server: page with the platform name', async () => {
    peer = await startPeer('1.50', version);
    const r = await berth(['version'], cleanEnv({ BERTH_HOST: peer.url, DOCKER_HOST: 'unix:///nowhere.sock' }));
    expect(r.status, r.stderr).toBe(0);
    expect(peer.paths).toEqual(['/_ping', '/v1.45/version']);
    expect(r.stdout).toContain('\nServer: Peer Engine\n Engine:\n  Version:          9.9.9\n  API version:      1.43 (minimum version 1.24)\n');
  });

  it('uses DOCKER_API_VERSION without asking /_ping', async () => {
    peer = await startPeer('1.43', version);
    const r = await berth(['-H', peer.url, 'version', '--format', '{{.Server.Version}}'], cleanEnv({ DOCKER_API_VERSION: '1.40' }));
    expect(r.status, r.stderr).toBe(0);
    expect(peer.paths).toEqual(['/v1.40/version']);
  });

  it('turns a 404 into docker\'s error response and exits 1', async () => {
    peer = await startPeer('1.43', version);
    const r = await berth(['info'], cleanEnv({ DOCKER_HOST: peer.url.replace('tcp://', '') }));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Client:\n/);
    expect(r.stderr).toBe('Error response from daemon: page not found\n');
  });

  it('says the daemon is not running when nothing listens on the port', async () => {
    peer = await startPeer('1.43', version);
    const url = peer.url;
    await peer.close();
    peer = undefined;
    const r = await berth(['version', '--format', '{{.Server.Version}}'], cleanEnv({ DOCKER_HOST: url }));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`Cannot connect to the berth daemon at ${url}. Is the berth daemon running?\n`);
  });
});
