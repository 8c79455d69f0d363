/**
 * Helpers of the network tests: a private subnet no route of this host
 * covers, a free TCP port, and HTTP GETs with a short timeout (to loopback and
 * to addresses of the tests' own bridges only).
 */
import net from 'node:net';
import { runCmd } from '../helpers/daemon.js';

/** A 10.x.y.0/24 that no route of this host covers (only 10/8-wide or narrower routes can; checked against `ip route`). */
export function freeSubnet(): { prefix: string } {
  const routes = runCmd('ip', ['-4', 'route', 'show', 'table', 'all']).stdout;
  if (/(^|\s)10\.0\.0\.0\/8\b/m.test(routes)) throw new Error('10.0.0.0/8 is routed here: no private subnet for the test bridge');
  for (;;) {
    const x = 100 + Math.floor(Math.random() * 150);
    const y = Math.floor(Math.random() * 250);
    if (!routes.includes(`10.${x}.`)) return { prefix: `10.${x}.${y}` };
  }
}

/** A TCP port nothing listens on now (the kernel picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function httpGet(host: string, port: number): Promise<string> {
  const res = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(5_000) });
  return res.text();
}

/** The first answer of a server that is still starting (httpd in a just-started container). */
export async function httpGetRetry(host: string, port: number, timeoutMs = 10_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await httpGet(host, port);
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

