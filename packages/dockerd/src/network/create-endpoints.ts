/**
 * The networks of a container being created: NetworkMode resolved (a name,
 * an ID or an ID prefix; kept as the network's name) and
 * NetworkingConfig.EndpointsConfig checked with dockerd's rules and texts:
 * every network must exist, aliases and --ip only on user networks, --ip only
 * where the subnet was given and inside it, a valid MAC.
 */
import net from 'node:net';
import { invalidArgument } from '@berth/errors';
import type { EndpointConfig, HostConfig } from '../containers/model.js';
import { contains, parseSubnet } from './cidr.js';
import { blankEndpointConfig } from './container.js';
import type { NetworkRef, Networks } from './registry.js';

type Json = Record<string, unknown>;

/** 400, not 404: the docker CLI answers a 404 from create by pulling the image. */
function resolve(n: Networks | undefined, name: string): NetworkRef {
  const ref = n?.find(name);
  if (!ref) throw invalidArgument(`network ${name} not found`);
  return ref;
}

/** One network's endpoint settings as a create or connect body gives them, checked against the network. */
export function endpointConfigFor(ref: NetworkRef, body: unknown): EndpointConfig {
  const b = (body && typeof body === 'object' ? body : {}) as Json;
  const aliases = Array.isArray(b.Aliases) ? (b.Aliases as unknown[]).map(String).filter((a) => a !== '') : [];
  const ipam = (b.IPAMConfig && typeof b.IPAMConfig === 'object' ? b.IPAMConfig : {}) as Json;
  const ip = String(ipam.IPv4Address ?? '');
  const mac = String(b.MacAddress ?? '');
  if (aliases.length > 0 && ref.kind !== 'user') throw invalidArgument('network-scoped alias is supported only for containers in user defined networks');
  if (ip !== '') {
    if (!net.isIPv4(ip)) throw invalidArgument(`invalid IPv4 address: ${ip}`);
    if (ref.kind !== 'user') throw invalidArgument('user specified IP address is supported on user defined networks only');
    if (!ref.net.record.subnetGiven) throw invalidArgument('user specified IP address is supported only when connecting to networks with user configured subnets');
    if (!contains(parseSubnet(ref.net.record.subnet), ip)) throw invalidArgument(`no configured subnet or ip-range contain the IP address ${ip}`);
  }
  if (mac !== '' && !/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(mac)) throw invalidArgument(`invalid MAC address: ${mac}`);
  return { Aliases: aliases.length > 0 ? aliases : null, IPAMConfig: ip !== '' ? { IPv4Address: ip } : null, MacAddress: mac.toLowerCase(), NetworkID: ref.id };
}

/** Sets hc.NetworkMode to the network's name and returns the container's endpoint configs (undefined for host/none/container:). */
export function endpointsForCreate(n: Networks | undefined, hc: HostConfig, networking: unknown, legacyMac: string): Record<string, EndpointConfig> | undefined {
  const mode = hc.NetworkMode;
  if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return undefined;
  const primary = mode === 'bridge' ? ({ kind: 'builtin', name: 'bridge', id: n?.ids.bridge.id ?? '' } as NetworkRef) : resolve(n, mode);
  hc.NetworkMode = primary.name;
  const given = (((networking ?? {}) as Json).EndpointsConfig ?? {}) as Json;
  const out: Record<string, EndpointConfig> = {};
  const refOf = (key: string): NetworkRef => (key === primary.name || (key === 'default' && primary.name === 'bridge') ? primary : resolve(n, key));
  for (const [key, body] of Object.entries(given)) {
    const ref = refOf(key);
    out[ref.name] = endpointConfigFor(ref, body);
  }
  out[primary.name] ??= blankEndpointConfig(primary.id);
  // API < 1.44 sends the MAC in Config.MacAddress: it belongs to the primary endpoint
  const first = out[primary.name];
  if (legacyMac !== '' && first.MacAddress === '') out[primary.name] = { ...first, MacAddress: endpointConfigFor(primary, { MacAddress: legacyMac }).MacAddress };
  return out;
}
