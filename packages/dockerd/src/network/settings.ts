/**
 * What docker shows of a container's network: NetworkSettings (one entry per
 * network it is connected to: its settings, and address, gateway, MAC and
 * endpoint while it runs; the top-level address fields from the default
 * bridge only, as docker fills them; Ports with every exposed port, null when
 * not published) and the Ports rows of /containers/json.
 */
import type { ContainerRecord, EndpointConfig } from '../containers/model.js';
import { joinedNetworks } from './container.js';
import type { Endpoint } from './endpoint.js';
import { networks } from './registry.js';

interface Joined {
  name: string;
  config: EndpointConfig;
  networkId: string;
  user: boolean;
  ep: Endpoint | undefined;
  gateway: string;
  prefixLen: number;
}

function joined(rec: ContainerRecord): Joined[] {
  const n = networks();
  const mode = rec.hostConfig.NetworkMode;
  if (!n) return [];
  if (mode === 'host' || mode === 'none') return [{ name: mode, config: { Aliases: null, IPAMConfig: null, MacAddress: '', NetworkID: n.ids[mode].id }, networkId: n.ids[mode].id, user: false, ep: undefined, gateway: '', prefixLen: 0 }];
  return joinedNetworks(rec).map(([name, config]) => {
    const ref = n.find(name);
    const bridge = n.bridgeOf(name);
    return { name, config, networkId: ref?.id ?? config.NetworkID, user: ref?.kind === 'user', ep: bridge?.endpoint(rec.id), gateway: bridge?.config.net.gateway ?? '', prefixLen: bridge?.config.net.prefixLen ?? 0 };
  });
}

/** The endpoint that holds the default route (and the published ports); records of older berthd have no flag. */
function gatewayEndpoint(all: Joined[]): Endpoint | undefined {
  const eps = all.map((j) => j.ep).filter((e): e is Endpoint => e !== undefined);
  return eps.find((e) => e.gatewayRoute === true) ?? eps.find((e) => e.gatewayRoute === undefined);
}

function endpointView(rec: ContainerRecord, j: Joined): Record<string, unknown> {
  // API < 1.45 lists the short ID among a running container's aliases on a user network (docker-compose v1 looks for it)
  const ep = j.ep;
  const aliases = j.user && ep ? [...(j.config.Aliases ?? []), rec.id.slice(0, 12)] : j.config.Aliases;
  return {
    IPAMConfig: j.config.IPAMConfig, Links: null, Aliases: aliases, MacAddress: ep?.mac ?? j.config.MacAddress, DriverOpts: null, GwPriority: 0,
    NetworkID: j.networkId, EndpointID: ep?.endpointId ?? '', Gateway: ep ? j.gateway : '', IPAddress: ep?.ip ?? '', IPPrefixLen: ep ? j.prefixLen : 0,
    IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    DNSNames: ep && j.user ? [rec.name.slice(1), ...(j.config.Aliases ?? []), rec.id.slice(0, 12)] : null,
  };
}

type PortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

function portMap(rec: ContainerRecord, ep: Endpoint): PortMap {
  const out: PortMap = {};
  for (const key of Object.keys(rec.config.ExposedPorts ?? {})) out[key] = null;
  for (const p of ep.ports) (out[`${p.containerPort}/${p.proto}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  return out;
}

export function networkSettings(rec: ContainerRecord): Record<string, unknown> {
  const all = joined(rec);
  const running = all.map((j) => j.ep).find((e) => e !== undefined);
  const gw = gatewayEndpoint(all);
  const onBridge = all.find((j) => j.name === 'bridge' && j.ep);
  const bep = onBridge?.ep;
  return {
    Bridge: '', SandboxID: running ? running.endpointId : '', SandboxKey: running ? running.netnsPath : '',
    Ports: gw ? portMap(rec, gw) : {},
    HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
    EndpointID: bep?.endpointId ?? '', Gateway: bep ? onBridge.gateway : '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    IPAddress: bep?.ip ?? '', IPPrefixLen: bep ? onBridge.prefixLen : 0, IPv6Gateway: '', MacAddress: bep?.mac ?? '',
    Networks: Object.fromEntries(all.map((j) => [j.name, endpointView(rec, j)])),
  };
}

/** The Networks map of a /containers/json row. */
export function summaryNetworks(rec: ContainerRecord): Record<string, unknown> {
  return { Networks: (networkSettings(rec).Networks as Record<string, unknown>) };
}

/** ContainerSummary.Ports: published ports with their host side, exposed ones without. */
export function summaryPorts(rec: ContainerRecord): Record<string, unknown>[] {
  const ep = gatewayEndpoint(joined(rec));
  const rows: Record<string, unknown>[] = [];
  const published = new Set<string>();
  for (const p of ep?.ports ?? []) {
    rows.push({ IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto });
    published.add(`${p.containerPort}/${p.proto}`);
  }
  for (const key of Object.keys(rec.config.ExposedPorts ?? {})) {
    if (published.has(key)) continue;
    const [port = '0', proto = 'tcp'] = key.split('/');
    rows.push({ PrivatePort: Number(port), Type: proto });
  }
  return rows;
}
