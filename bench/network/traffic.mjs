// The bench's own traffic, from this Node process: a bulk TCP send to a sink
// and HTTP GETs each on a new connection. Only to addresses the caller gives
// (127.0.0.1, the bench's bridges and containers).
import http from 'node:http';
import net from 'node:net';
import { sleep } from '../lib/dockerd.mjs';

const chunk = Buffer.alloc(1 << 20, 0x61);

/**
 * Sends `mib` MiB to host:port and waits for the sink (busybox `nc -ll -e sh
 * -c 'dd of=/dev/null bs=1M count=<mib> iflag=fullblock 2>&1'`) to say it has
 * read them all ("<mib>+0 records out") and close. Our side is never
 * half-closed: the end of the transfer is the sink's word, whatever a proxy
 * does with a FIN. Returns ms.
 */
export function sendBulk(host, port, mib) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect({ host, port });
    let sent = 0;
    let reply = '';
    const pump = () => {
      while (sent < mib) {
        sent++;
        if (!s.write(chunk)) {
          s.once('drain', pump);
          return;
        }
      }
    };
    s.once('connect', pump);
    s.on('data', (d) => { reply += d.toString(); });
    s.on('error', reject);
    s.on('close', () => {
      if (!reply.includes(`${mib}+0 records out`)) reject(new Error(`sink at ${host}:${port} closed early (sent ${sent} of ${mib} MiB, reply ${JSON.stringify(reply)})`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

/**
 * Whether a half-closed connection still gets its answer: a few bytes, our
 * FIN, then the sink's dd (which stops at our end of stream) reports and
 * closes. docker-proxy passes a FIN on and keeps the other direction open.
 */
export function halfCloseAnswered(host, port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => s.end('x'));
    let reply = '';
    s.on('data', (d) => { reply += d.toString(); });
    s.on('error', reject);
    s.on('close', () => resolve(/records out/.test(reply)));
  });
}

/** One GET on a connection of its own (no agent: no keep-alive); resolves with the body. */
export function getOnce(host, port) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${host}:${port}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${host}:${port}: timeout`)));
  });
}

/** `conns` GETs over `workers` concurrent loops; connections per second. */
export async function connRate(host, port, conns, workers) {
  const t0 = process.hrtime.bigint();
  let left = conns;
  const loop = async () => {
    while (left > 0) {
      left--;
      await getOnce(host, port);
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  return conns / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Retries `f` until it works (a server in a just-started container, a proxy waiting for it). */
export async function untilWorks(f, what, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > end) throw new Error(`${what}: ${err.message}`);
      await sleep(200);
    }
  }
}
