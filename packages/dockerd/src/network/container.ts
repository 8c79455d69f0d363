/**
 * The containers' side of the networks: a run on bridge or user networks gets
 * a namespace of its own (sandbox.ts) before its task is created, with one
 * endpoint per network it is connected to (NetworkMode's first: eth0, then
 * the others, eth1, ...; the first one not internal gets the default route
 * and the published ports); its /etc/hosts names its address and, on a user
 * network with a DNS server, its resolv.conf names that server. Everything
 * goes when the run ends. With --bridge none, `bridge` alone stays an
 * isolated namespace the runtime makes (only lo).
 */
import fs from 'node:fs';
import { notFound } from '@berth/errors';
import type { ContainerRecord, EndpointConfig } from '../containers/model.js';
import { hostsFile, readHost, resolvConf } from '../containers/host-files.js';
import type { BridgeNetwork } from './bridge-network.js';
import { containerResolvConf } from './dns/index.js';
import type { Endpoint } from './endpoint.js';
import { portRequests, type PortRequest } from './ports.js';
import { networks, type Networks } from './registry.js';
import { createSandbox, removeSandbox } from './sandbox.js';

const ownNamespaceModes = (mode: string) => mode !== 'host' && mode !== 'none' && !mode.startsWith('container:');

export const blankEndpointConfig = (networkId: string): EndpointConfig => ({ Aliases: null, IPAMConfig: null, MacAddress: '', NetworkID: networkId });

/** The networks the container joins, by name, NetworkMode's first. */
export function joinedNetworks(rec: ContainerRecord): [string, EndpointConfig][] {
  const mode = rec.hostConfig.NetworkMode;
  if (!ownNamespaceModes(mode)) return [];
  const configs = rec.endpointsConfig ?? { [mode]: blankEndpointConfig('') };
  return Object.entries(configs).sort(([a], [b]) => (a === mode ? -1 : b === mode ? 1 : 0));
}

/** The bridge of a network the container is to join; a network removed since it was named is docker's 404. */
function resolveBridge(n: Networks, name: string): BridgeNetwork | undefined {
  if (name !== 'bridge' && !n.find(name)) throw notFound(`network ${name} not found`);
  return n.bridgeOf(name);
}

export interface JoinPlan {
  bridge: BridgeNetwork;
  config: EndpointConfig;
}

/** Joins one network in an existing sandbox (start, and `network connect` of a running container). */
export async function attachEndpoint(rec: ContainerRecord, sandbox: string, plan: JoinPlan, ifName: string, gatewayRoute: boolean, ports: PortRequest[]): Promise<Endpoint> {
  const c = plan.config;
  return plan.bridge.attach(rec.id, rec.name.slice(1), {
    ifName, gatewayRoute, netnsPath: sandbox, ip: c.IPAMConfig?.IPv4Address ?? '', mac: c.MacAddress, aliases: c.Aliases ?? [],
  }, ports);
}

/** The path of the namespace the container's task must join, or undefined for the runtime to make one. */
export async function joinNetwork(rec: ContainerRecord): Promise<string | undefined> {
  const n = networks();
  if (!n) return undefined;
  const plans: JoinPlan[] = [];
  for (const [name, config] of joinedNetworks(rec)) {
    const bridge = resolveBridge(n, name);
    if (bridge) plans.push({ bridge, config });
  }
  if (plans.length === 0) return undefined;
  const hc = rec.hostConfig;
  const ports = portRequests(hc.PortBindings as Parameters<typeof portRequests>[0], hc.PublishAllPorts === true, rec.config.ExposedPorts);
  const sandbox = await createSandbox(n.ctx.execRoot, rec.id);
  try {
    const gateway = plans.findIndex((p) => !p.bridge.config.internal);
    const eps: Endpoint[] = [];
    for (const [i, plan] of plans.entries()) eps.push(await attachEndpoint(rec, sandbox, plan, `eth${i}`, i === gateway, i === gateway ? ports : []));
    writeNetworkFiles(n, rec, plans[0]?.bridge, eps[0]);
  } catch (err) {
    await leaveNetwork(rec.id);
    throw err;
  }
  return sandbox;
}

function writeNetworkFiles(n: Networks, rec: ContainerRecord, first: BridgeNetwork | undefined, ep: Endpoint | undefined): void {
  const hc = rec.hostConfig;
  if (!ep || !first) return;
  const names = rec.config.Domainname ? `${rec.config.Hostname}.${rec.config.Domainname} ${rec.config.Hostname}` : rec.config.Hostname;
  fs.writeFileSync(rec.hostsPath, hostsFile(false, (hc.ExtraHosts as string[] | null | undefined) ?? [], { ip: ep.ip, names }));
  const user = [...n.user.values()].find((u) => u.bridge === first);
  // a user network's DNS server answers the names of its containers; explicit --dns servers win, as they replace docker's too
  if (!user?.dns || (hc.Dns ?? []).length > 0) return;
  const search = hc.DnsSearch ?? [];
  const options = hc.DnsOptions ?? [];
  const gateway = first.config.net.gateway;
  const text = search.length > 0 || options.length > 0 ? resolvConf(false, [gateway], search, [...options, 'ndots:0']) : containerResolvConf(readHost('/etc/resolv.conf'), gateway);
  fs.writeFileSync(rec.resolvConfPath, text);
}

/** Everything of the container's run on any network taken down; a no-op when it has nothing there. */
export async function leaveNetwork(id: string): Promise<void> {
  const n = networks();
  if (!n) return;
  for (const b of n.bridges()) await b.detach(id);
  await removeSandbox(n.ctx.execRoot, id);
}
