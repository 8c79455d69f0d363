/** A bearer token that expires between two requests of one client is fetched again (a stand-in registry and token server on 127.0.0.1). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from './client.js';

describe('registry client tokens', () => {
  let server: http.Server;
  let host = '';
  let issued = 0;
  let valid = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url?.startsWith('/token')) {
        issued++;
        valid = `t${issued}`; // the new token replaces the old one: the old one has "expired"
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ token: valid }));
        return;
      }
      if (req.headers.authorization !== `Bearer ${valid}`) {
        res.statusCode = 401;
        res.setHeader('WWW-Authenticate', `Bearer realm="http://${host}/token",service="test"`);
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => { server.close(); });

  it('asks for a new token when the registry refuses the one it has', async () => {
    const client = new RegistryClient(host, 'repo', {}, { familiar: 'repo', familiarName: 'repo' });
    const first = await client.request('GET', `http://${host}/v2/repo/manifests/a`);
    expect([first.status, await first.text(), issued]).toEqual([200, 'ok', 1]);
    valid = 'rotated'; // the token server moved on: t1 is no longer accepted
    const second = await client.request('GET', `http://${host}/v2/repo/manifests/a`);
    expect([second.status, await second.text(), issued]).toEqual([200, 'ok', 2]);
  });
});
