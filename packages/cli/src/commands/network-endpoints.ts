/**
 * run/create's network flags turned into HostConfig.NetworkMode and
 * NetworkingConfig.EndpointsConfig, as docker 28's parseNetworkOpts: each
 * --network (also the long form name=n,alias=a,ip=...) is one endpoint; the
 * first carries --network-alias, --ip, --ip6 and --mac-address; a lone
 * network without options sends no endpoint, and no --network at all sends
 * an empty "default" one. Mistakes docker's client catches are refused here.
 */
import { compareVersions } from '../client/version.js';

export interface NetworkFlags {
  network?: string[];
  networkAlias?: string[];
  ip?: string;
  ip6?: string;
  macAddress?: string;
}

type Json = Record<string, unknown>;

interface Attachment {
  target: string;
  aliases: string[];
  ipv4: string;
  ipv6: string;
  mac: string;
  linkLocalIPs: string[];
  driverOpts?: Record<string, string>;
  gwPriority: number;
}

const attachment = (target: string): Attachment => ({ target, aliases: [], ipv4: '', ipv6: '', mac: '', linkLocalIPs: [], gwPriority: 0 });

/** default, bridge, host, none and container:<x> are docker's built-in modes; anything else is a user network. */
export const isUserDefined = (mode: string): boolean => !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');

/** Go's net.ParseMAC: 6, 8 or 20 bytes as xx:xx.., xx-xx.. or xxxx.xxxx... */
export function isMac(s: string): boolean {
  const t = s.trim();
  const groups = (sep: string, width: number) => t.split(sep).every((g) => new RegExp(`^[0-9a-fA-F]{${width}}$`).test(g));
  const n = t.split(/[:\-.]/).length;
  if (t.includes(':') || t.includes('-')) return [6, 8, 20].includes(n) && groups(t.includes(':') ? ':' : '-', 2);
  return t.includes('.') && [3, 4, 10].includes(n) && groups('.', 4);
}

/** opts.NetworkOpt.Set: "name" or the csv form "name=n,alias=a,ip=..."; throws the reason a value is refused. */
function parseNetworkValue(value: string): Attachment {
  if (!/\w+=\w+(,\w+=\w+)*/.test(value)) return attachment(value);
  const a = attachment('');
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    // docker lower-cases the whole field, value too
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase().trim();
    const val = (eq < 0 ? '' : field.slice(eq + 1)).toLowerCase().trim();
    if (eq < 0 || !key) throw new Error(`invalid field ${field}`);
    switch (key) {
      case 'name': a.target = val; break;
      case 'alias': a.aliases.push(val); break;
      case 'ip': a.ipv4 = val; break;
      case 'ip6': a.ipv6 = val; break;
      case 'mac-address': a.mac = val; break;
      case 'link-local-ip': a.linkLocalIPs.push(val); break;
      case 'driver-opt': {
        const e = val.indexOf('=');
        if (e <= 0) throw new Error('invalid key value pair format in driver options');
        a.driverOpts = { ...a.driverOpts, [val.slice(0, e).trim()]: val.slice(e + 1).trim() };
        break;
      }
      case 'gw-priority':
        if (!/^[+-]?\d+$/.test(val)) throw new Error(`invalid gw-priority (${val}): invalid syntax`);
        a.gwPriority = Number(val);
        break;
      default: throw new Error(`invalid field key ${key}`);
    }
  }
  if (!a.target) throw new Error('network name/id is not specified');
  return a;
}

/** Why docker's flag parser refuses a --network value, or undefined when it takes it. */
export function networkValueError(value: string): string | undefined {
  try {
    parseNetworkValue(value);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** applyContainerOptions: the plain flags land on the first network, unless it sets the same thing itself. */
function applyFlags(a: Attachment, o: NetworkFlags, bad: (m: string) => Error): void {
  const aliases = o.networkAlias ?? [];
  if (a.aliases.length && aliases.length) throw bad('conflicting options: cannot specify both --network-alias and per-network alias');
  if (a.ipv4 && o.ip) throw bad('conflicting options: cannot specify both --ip and per-network IPv4 address');
  if (a.ipv6 && o.ip6) throw bad('conflicting options: cannot specify both --ip6 and per-network IPv6 address');
  if (a.mac && o.macAddress) throw bad('conflicting options: cannot specify both --mac-address and per-network MAC address');
  if (aliases.length) a.aliases = [...aliases];
  if (o.ip) a.ipv4 = o.ip;
  if (o.ip6) a.ipv6 = o.ip6;
  if (o.macAddress) a.mac = o.macAddress;
}

/** parseNetworkAttachmentOpt: the EndpointSettings docker sends, every field, operational ones empty. */
function endpointOf(a: Attachment, bad: (m: string) => Error): Json {
  if (!a.target.trim()) throw bad('no name set for network');
  if (!isUserDefined(a.target) && a.aliases.length) throw bad('network-scoped aliases are only supported for user-defined networks');
  if (a.mac && !isMac(a.mac)) throw bad(`${a.mac} is not a valid mac address`);
  const hasIpam = a.ipv4 || a.ipv6 || a.linkLocalIPs.length;
  return {
    IPAMConfig: hasIpam
      ? { ...(a.ipv4 ? { IPv4Address: a.ipv4 } : {}), ...(a.ipv6 ? { IPv6Address: a.ipv6 } : {}), ...(a.linkLocalIPs.length ? { LinkLocalIPs: a.linkLocalIPs } : {}) }
      : null,
    Links: null,
    Aliases: a.aliases.length ? a.aliases : null,
    MacAddress: a.mac,
    DriverOpts: a.driverOpts ?? null,
    GwPriority: a.gwPriority,
    ...endpointRuntimeFields,
  };
}

/** The fields of EndpointSettings the daemon fills; docker's client sends them empty. */
export const endpointRuntimeFields = {
  NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
} as const;

const isEmpty = (a: Attachment): boolean => !a.aliases.length && !a.ipv4 && !a.ipv6 && !a.mac && !a.linkLocalIPs.length && !a.driverOpts && !a.gwPriority;

/** NetworkMode and EndpointsConfig for the create request; `bad` makes the error run/create report (exit 125). */
export function networkingFor(o: NetworkFlags, bad: (m: string) => Error): { networkMode: string; endpoints: Record<string, Json> } {
  // docker validates the plain --mac-address before anything else
  if (o.macAddress && !isMac(o.macAddress)) throw bad(`${o.macAddress} is not a valid mac address`);
  const list = (o.network ?? []).map((v) => {
    try {
      return parseNetworkValue(v);
    } catch (err) {
      throw bad(`invalid argument "${v}" for "--network" flag: ${(err as Error).message}`);
    }
  });
  const endpoints: Record<string, Json> = {};
  if (!list.length) {
    const a = attachment('default');
    applyFlags(a, o, bad);
    endpoints.default = endpointOf(a, bad);
    return { networkMode: 'default', endpoints };
  }
  let user = false;
  let builtin = false;
  list.forEach((a, i) => {
    if (isUserDefined(a.target)) user = true;
    else builtin = true;
    if (i === 0) applyFlags(a, o, bad);
    const ep = endpointOf(a, bad);
    if (a.target in endpoints) throw bad(`network "${a.target}" is specified multiple times`);
    // a lone network without options: the daemon makes its endpoint itself
    if (i === 0 && list.length === 1 && isEmpty(a)) return;
    endpoints[a.target] = ep;
  });
  if (user && builtin) throw bad('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  return { networkMode: list[0]?.target ?? 'default', endpoints };
}

/**
 * The client's check at send time: a MAC address per endpoint needs API
 * 1.44. Older daemons only know the container-wide Config.MacAddress, but
 * docker 28 refuses rather than fall back to it, so berth never sends that
 * field. Call with the negotiated version before POST /containers/create.
 */
export function checkEndpointMacs(body: { NetworkingConfig?: unknown }, apiVersion: string): void {
  const eps = (body.NetworkingConfig as { EndpointsConfig?: Record<string, { MacAddress?: string }> } | undefined)?.EndpointsConfig ?? {};
  if (compareVersions(apiVersion, '1.44') < 0 && Object.values(eps).some((e) => e.MacAddress)) {
    throw new Error(`"specify mac-address per network" requires API version 1.44, but the Docker daemon API version is ${apiVersion}`);
  }
}
