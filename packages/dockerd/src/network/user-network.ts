/**
 * A user-defined bridge network at run time: its bridge network (bridge,
 * chains, IPAM, endpoints) and its embedded DNS server on the gateway address
 * (port 53, UDP and TCP, in the host's namespace; the containers' resolv.conf
 * names the gateway). Docker listens on 127.0.0.11 inside each container
 * instead; answering on the gateway needs no process or rule in the
 * container's namespace. The server answers the names of the containers on
 * this network (name, network-scoped aliases, short ID, `<name>.<network>`)
 * and forwards the rest to the host's resolvers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@berth/containerd/log';
import { readHost } from '../containers/host-files.js';
import { BridgeNetwork } from './bridge-network.js';
import { userNet } from './cidr.js';
import { EmbeddedDns, upstreamsFromResolvConf, type DnsAnswers } from './dns/index.js';
import type { NetworkRecord } from './records.js';

export interface NetworkContext {
  dataRoot: string;
  execRoot: string;
  iptables: boolean;
  ipMasq: boolean;
  log: Logger;
  /** Where the embedded DNS servers forward names that are not ours (dockerd's --dns); empty: the host's resolvers. */
  upstreams: string[];
  /** The container's name without the slash, for DNS answers. */
  containerName(id: string): string | undefined;
  isRunning(id: string): boolean;
}

export interface UserNetwork {
  record: NetworkRecord;
  bridge: BridgeNetwork;
  dns: EmbeddedDns | undefined;
}

export function userNetworkState(ctx: NetworkContext, id: string) {
  return { ipamFile: path.join(ctx.dataRoot, 'network', id, 'ipam.json'), endpointDir: path.join(ctx.execRoot, 'network', id, 'endpoints') };
}

/** A removed (or never made) network's directories under the data and exec roots. */
export function removeUserNetworkState(ctx: NetworkContext, id: string): void {
  const state = userNetworkState(ctx, id);
  for (const f of [state.ipamFile, state.endpointDir]) fs.rmSync(path.dirname(f), { recursive: true, force: true });
}

/** Bridge and chains up, endpoints of running containers re-adopted, the DNS server listening. */
export async function openUserNetwork(record: NetworkRecord, ctx: NetworkContext): Promise<UserNetwork> {
  const bridge = new BridgeNetwork(
    { name: record.bridge, networkName: record.name, net: userNet(record.subnet, record.gateway), iptables: ctx.iptables, ipMasq: ctx.ipMasq && record.options['com.docker.network.bridge.enable_ip_masquerade'] !== 'false', internal: record.internal },
    userNetworkState(ctx, record.id),
    ctx.log,
  );
  await bridge.init(ctx.isRunning);
  let dns: EmbeddedDns | undefined;
  try {
    dns = await EmbeddedDns.start({ address: record.gateway, port: 53, answers: answersOf(record, bridge, ctx), upstreams: ctx.upstreams.length > 0 ? ctx.upstreams : upstreamsFromResolvConf(readHost('/etc/resolv.conf')), log: ctx.log });
  } catch (err) {
    // the network works without it; containers then get the host's resolvers
    ctx.log.warn('no embedded DNS server for the network', { network: record.name, address: record.gateway, error: (err as Error).message });
  }
  return { record, bridge, dns };
}

export async function closeUserNetwork(n: UserNetwork, destroy: boolean): Promise<void> {
  await n.dns?.close();
  if (destroy) await n.bridge.destroy();
  else await n.bridge.shutdown();
}

/** The names of one endpoint's container on this network, lower case. */
function namesOf(ctx: NetworkContext, containerId: string, aliases: string[]): string[] {
  const name = ctx.containerName(containerId);
  return [...(name ? [name] : []), containerId.slice(0, 12), ...aliases].map((n) => n.toLowerCase());
}

function answersOf(record: NetworkRecord, bridge: BridgeNetwork, ctx: NetworkContext): DnsAnswers {
  const suffix = `.${record.name.toLowerCase()}`;
  return {
    lookup(name) {
      const bare = name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
      const ips = bridge.list().filter((ep) => namesOf(ctx, ep.containerId, ep.aliases ?? []).includes(bare)).map((ep) => ep.ip);
      return ips.length > 0 ? ips : undefined;
    },
    reverse(ip) {
      const ep = bridge.list().find((e) => e.ip === ip);
      const name = ep ? ctx.containerName(ep.containerId) : undefined;
      return name ? `${name}${suffix}` : undefined;
    },
  };
}
