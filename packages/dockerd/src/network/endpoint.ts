/**
 * A container's place on the bridge: its network namespace (netns.ts), a veth
 * pair with the host end (`veth<7 hex>`) on the bridge and the other end moved
 * into the namespace and renamed eth0, the address from IPAM, lo up and a
 * default route via the bridge. Kept as JSON under <exec-root>/network/ so a
 * restarted berthd knows what to take down when the container stops.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Ipv4Net } from './cidr.js';
import { ipToInt } from './cidr.js';
import { createNetns, inNetns, removeNetns } from './netns.js';
import type { Proto } from './ports.js';
import { run, tryRun } from './run.js';

export interface PortBinding {
  proto: Proto;
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

export interface Endpoint {
  containerId: string;
  endpointId: string;
  ip: string;
  mac: string;
  hostVeth: string;
  netnsPath: string;
  ports: PortBinding[];
}

/** docker's (pre-28) MAC rule: 02:42 and the four bytes of the address; unique as long as the address is. */
export function macOf(ip: string): string {
  const n = ipToInt(ip);
  return ['02', '42', ...[24, 16, 8, 0].map((s) => (Math.floor(n / 2 ** s) & 255).toString(16).padStart(2, '0'))].join(':');
}

export function newEndpoint(containerId: string, ip: string, netnsDir: string): Endpoint {
  return {
    containerId,
    endpointId: randomBytes(32).toString('hex'),
    ip,
    mac: macOf(ip),
    hostVeth: `veth${randomBytes(4).toString('hex').slice(0, 7)}`,
    netnsPath: path.join(netnsDir, containerId),
    ports: [],
  };
}

/** Builds the namespace and its interfaces; on failure, takes down what it made. */
export async function plumb(ep: Endpoint, bridge: string, net: Ipv4Net): Promise<void> {
  const peer = `vp${ep.hostVeth.slice(4)}`;
  try {
    await createNetns(ep.netnsPath);
    await run('ip', ['link', 'add', ep.hostVeth, 'type', 'veth', 'peer', 'name', peer]);
    await run('ip', ['link', 'set', peer, 'netns', ep.netnsPath]);
    await run('ip', ['link', 'set', ep.hostVeth, 'master', bridge]);
    await run('ip', ['link', 'set', ep.hostVeth, 'up']);
    await inNetns(ep.netnsPath, 'ip', ['link', 'set', peer, 'name', 'eth0']);
    await inNetns(ep.netnsPath, 'ip', ['link', 'set', 'eth0', 'address', ep.mac]);
    await inNetns(ep.netnsPath, 'ip', ['addr', 'add', `${ep.ip}/${net.prefixLen}`, 'dev', 'eth0']);
    await inNetns(ep.netnsPath, 'ip', ['link', 'set', 'eth0', 'up']);
    await inNetns(ep.netnsPath, 'ip', ['link', 'set', 'lo', 'up']);
    await inNetns(ep.netnsPath, 'ip', ['route', 'add', 'default', 'via', net.gateway, 'dev', 'eth0']);
  } catch (err) {
    await unplumb(ep);
    throw err;
  }
}

export async function unplumb(ep: Endpoint): Promise<void> {
  if (fs.existsSync(`/sys/class/net/${ep.hostVeth}`)) await tryRun('ip', ['link', 'del', ep.hostVeth]);
  await removeNetns(ep.netnsPath);
}
