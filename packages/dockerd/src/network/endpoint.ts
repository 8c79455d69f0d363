/**
 * A container's place on one bridge network: a veth pair with the host end
 * (`veth<7 hex>`) on the bridge and the other end, eth0, eth1, ..., in the
 * container's network namespace (sandbox.ts), the address from the network's
 * IPAM, and, on the endpoint that gives the container its way out, the
 * default route. Kept as JSON under <exec-root>/network/ so a restarted
 * berthd knows what to take down when the container stops.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Ipv4Net } from './cidr.js';
import { ipToInt } from './cidr.js';
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
  /** The interface in the container (absent in records of older berthd: eth0). */
  ifName?: string;
  /** Network-scoped names the embedded DNS answers besides the container's name. */
  aliases?: string[];
  /** This endpoint holds the container's default route (and its published ports). */
  gatewayRoute?: boolean;
  ports: PortBinding[];
}

export interface EndpointRequest {
  ip: string;
  mac: string;
  netnsPath: string;
  ifName: string;
  aliases: string[];
  gatewayRoute: boolean;
}

/** docker's (pre-28) MAC rule: 02:42 and the four bytes of the address; unique as long as the address is. */
export function macOf(ip: string): string {
  const n = ipToInt(ip);
  return ['02', '42', ...[24, 16, 8, 0].map((s) => (Math.floor(n / 2 ** s) & 255).toString(16).padStart(2, '0'))].join(':');
}

export function newEndpoint(containerId: string, r: EndpointRequest): Endpoint {
  return {
    containerId,
    endpointId: randomBytes(32).toString('hex'),
    ip: r.ip,
    mac: r.mac === '' ? macOf(r.ip) : r.mac,
    hostVeth: `veth${randomBytes(4).toString('hex').slice(0, 7)}`,
    netnsPath: r.netnsPath,
    ifName: r.ifName,
    aliases: r.aliases,
    gatewayRoute: r.gatewayRoute,
    ports: [],
  };
}

/**
 * The interfaces made with two `ip -batch` runs (one process each instead of
 * one per step): inside the namespace the pair is created with its host end
 * sent to berthd's own namespace, then the host end joins the bridge. On
 * failure, what was made is taken down.
 */
export async function plumb(ep: Endpoint, bridge: string, net: Ipv4Net): Promise<void> {
  const dev = ep.ifName ?? 'eth0';
  const inside = [
    `link add ${dev} address ${ep.mac} type veth peer name ${ep.hostVeth} netns ${process.pid}`,
    `addr add ${ep.ip}/${net.prefixLen} dev ${dev}`,
    `link set ${dev} up`,
    'link set lo up',
    ...(ep.gatewayRoute ? [`route add default via ${net.gateway} dev ${dev}`] : []),
  ];
  try {
    await run('nsenter', [`--net=${ep.netnsPath}`, 'ip', '-batch', '-'], `${inside.join('\n')}\n`);
    await run('ip', ['-batch', '-'], `link set ${ep.hostVeth} master ${bridge}\nlink set ${ep.hostVeth} up\n`);
  } catch (err) {
    await unplumb(ep);
    throw err;
  }
}

/** The pair goes with its host end (the container's end with it); the namespace stays for the container's other endpoints. */
export async function unplumb(ep: Endpoint): Promise<void> {
  if (fs.existsSync(`/sys/class/net/${ep.hostVeth}`)) await tryRun('ip', ['link', 'del', ep.hostVeth]);
}
