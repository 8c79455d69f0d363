/**
 * What docker shows of a container's network: NetworkSettings (the endpoint
 * on `bridge`: address, gateway, MAC, sandbox; Ports with every exposed port,
 * null when not published) and the Ports rows of /containers/json.
 */
import type { ContainerRecord } from '../containers/model.js';
import type { Endpoint } from './endpoint.js';
import { networks } from './registry.js';

export function endpointOf(containerId: string): Endpoint | undefined {
  return networks()?.bridge?.endpoint(containerId);
}

function blankEndpoint(networkId: string) {
  return {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: networkId,
    EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0, DNSNames: null,
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
  const mode = rec.hostConfig.NetworkMode;
  const nets = networks();
  const ep = mode === 'bridge' ? endpointOf(rec.id) : undefined;
  const bridge = nets?.bridge;
  const netId = nets ? (nets.ids[mode as 'bridge' | 'host' | 'none']?.id ?? '') : '';
  const endpoint = blankEndpoint(netId);
  const top = { Bridge: '', SandboxID: '', SandboxKey: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' };
  if (ep && bridge) {
    const net = bridge.config.net;
    Object.assign(endpoint, { MacAddress: ep.mac, EndpointID: ep.endpointId, Gateway: net.gateway, IPAddress: ep.ip, IPPrefixLen: net.prefixLen });
    Object.assign(top, { SandboxID: ep.endpointId, SandboxKey: ep.netnsPath, EndpointID: ep.endpointId, Gateway: net.gateway, IPAddress: ep.ip, IPPrefixLen: net.prefixLen, MacAddress: ep.mac });
  }
  return {
    Bridge: top.Bridge, SandboxID: top.SandboxID, SandboxKey: top.SandboxKey,
    Ports: ep ? portMap(rec, ep) : {},
    HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
    EndpointID: top.EndpointID, Gateway: top.Gateway, GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    IPAddress: top.IPAddress, IPPrefixLen: top.IPPrefixLen, IPv6Gateway: '', MacAddress: top.MacAddress,
    Networks: { [mode]: endpoint },
  };
}

/** The Networks map of a /containers/json row. */
export function summaryNetworks(rec: ContainerRecord): Record<string, unknown> {
  return { Networks: (networkSettings(rec).Networks as Record<string, unknown>) };
}

/** ContainerSummary.Ports: published ports with their host side, exposed ones without. */
export function summaryPorts(rec: ContainerRecord): Record<string, unknown>[] {
  const ep = rec.hostConfig.NetworkMode === 'bridge' ? endpointOf(rec.id) : undefined;
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
