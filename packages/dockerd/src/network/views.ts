/**
 * moby's network.Inspect: the predefined `bridge` (our bridge, its IPAM
 * config), `host` and `none`, and the user-defined bridge networks, each with
 * the containers running on it, as `docker network ls` and `docker network
 * inspect` read them.
 */
import type { ContainerStore } from '../containers/store.js';
import type { BridgeNetwork } from './bridge-network.js';
import type { NetworkRef, Networks } from './registry.js';

const builtinDrivers = { bridge: 'bridge', host: 'host', none: 'null' } as const;

function containersOn(bridge: BridgeNetwork | undefined, store: ContainerStore): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const ep of bridge?.list() ?? []) {
    const c = store.find(ep.containerId);
    out[ep.containerId] = {
      Name: c ? c.record.name.slice(1) : '', EndpointID: ep.endpointId, MacAddress: ep.mac,
      IPv4Address: `${ep.ip}/${bridge?.config.net.prefixLen ?? 0}`, IPv6Address: '',
    };
  }
  return out;
}

function defaultBridgeOptions(bridge: BridgeNetwork): Record<string, string> {
  return {
    'com.docker.network.bridge.default_bridge': 'true',
    'com.docker.network.bridge.enable_icc': 'true',
    'com.docker.network.bridge.enable_ip_masquerade': String(bridge.config.ipMasq),
    'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
    'com.docker.network.bridge.name': bridge.config.name,
    'com.docker.network.driver.mtu': '1500',
  };
}

const common = { Scope: 'local', EnableIPv4: true, EnableIPv6: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false };

export function networkView(n: Networks, ref: NetworkRef, store: ContainerStore): Record<string, unknown> {
  if (ref.kind === 'user') {
    const r = ref.net.record;
    return {
      Name: r.name, Id: r.id, Created: r.created, ...common, Driver: r.driver,
      IPAM: { Driver: 'default', Options: {}, Config: r.ipamConfig },
      Internal: r.internal, Attachable: r.attachable,
      Containers: containersOn(ref.net.bridge, store), Options: r.options, Labels: r.labels,
    };
  }
  const ident = n.ids[ref.name];
  const bridge = ref.name === 'bridge' ? n.bridge : undefined;
  return {
    Name: ref.name, Id: ident.id, Created: ident.created, ...common, Driver: builtinDrivers[ref.name],
    IPAM: { Driver: 'default', Options: null, Config: bridge ? [{ Subnet: bridge.config.net.subnet, Gateway: bridge.config.net.gateway }] : null },
    Internal: false, Attachable: false,
    Containers: containersOn(bridge, store), Options: bridge ? defaultBridgeOptions(bridge) : {}, Labels: {},
  };
}
