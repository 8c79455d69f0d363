/**
 * moby's network.Inspect for the predefined networks: `bridge` (our bridge,
 * its IPAM config and the containers on it), `host` and `none`, as
 * `docker network ls` and `docker network inspect` read them.
 */
import type { ContainerStore } from '../containers/store.js';
import type { Networks } from './registry.js';

export type NetworkName = 'bridge' | 'host' | 'none';

const drivers: Record<NetworkName, string> = { bridge: 'bridge', host: 'host', none: 'null' };

export function networkNames(n: Networks): NetworkName[] {
  return n.bridge ? ['bridge', 'host', 'none'] : ['host', 'none'];
}

export function networkView(n: Networks, name: NetworkName, store: ContainerStore): Record<string, unknown> {
  const ident = n.ids[name];
  const bridge = name === 'bridge' ? n.bridge : undefined;
  const containers: Record<string, unknown> = {};
  for (const ep of bridge?.list() ?? []) {
    const c = store.find(ep.containerId);
    containers[ep.containerId] = {
      Name: c ? c.record.name.slice(1) : '', EndpointID: ep.endpointId, MacAddress: ep.mac,
      IPv4Address: `${ep.ip}/${bridge?.config.net.prefixLen ?? 0}`, IPv6Address: '',
    };
  }
  return {
    Name: name,
    Id: ident.id,
    Created: ident.created,
    Scope: 'local',
    Driver: drivers[name],
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: bridge ? [{ Subnet: bridge.config.net.subnet, Gateway: bridge.config.net.gateway }] : null },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: bridge
      ? {
          'com.docker.network.bridge.default_bridge': 'true',
          'com.docker.network.bridge.enable_icc': 'true',
          'com.docker.network.bridge.enable_ip_masquerade': String(bridge.config.ipMasq),
          'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
          'com.docker.network.bridge.name': bridge.config.name,
          'com.docker.network.driver.mtu': '1500',
        }
      : {},
    Labels: {},
  };
}

/** A network by name, full ID or unique ID prefix, as moby's FindNetwork resolves one. */
export function findNetwork(n: Networks, ref: string): NetworkName | undefined {
  const names = networkNames(n);
  const byName = names.find((x) => x === ref);
  if (byName) return byName;
  const byId = names.find((x) => n.ids[x].id === ref);
  if (byId) return byId;
  const prefix = names.filter((x) => ref !== '' && n.ids[x].id.startsWith(ref));
  return prefix.length === 1 ? prefix[0] : undefined;
}
