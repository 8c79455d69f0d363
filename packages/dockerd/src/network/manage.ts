/**
 * Creating and removing user-defined networks (POST /networks/create,
 * DELETE /networks/{id}, POST /networks/prune) with dockerd's rules and error
 * texts: bridge driver only, names unique (the predefined ones included),
 * subnets that overlap no other network of ours, a subnet picked from the
 * default pools when none is given, predefined networks and networks with
 * running containers not removable. A failed create leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { conflict, forbidden, invalidArgument, notFound } from '@berth/errors';
import { removeBridge } from './bridge.js';
import { overlaps, parseSubnet, userNet } from './cidr.js';
import { removeChains } from './iptables.js';
import { pickSubnet } from './pool.js';
import type { IpamConfigEntry, NetworkRecord } from './records.js';
import type { Networks } from './registry.js';
import { closeUserNetwork, openUserNetwork, removeUserNetworkState } from './user-network.js';

type Json = Record<string, unknown>;

const asRecord = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' ? Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, String(x)])) : {};

export interface CreateNetworkBody {
  Name?: unknown;
  Driver?: unknown;
  Internal?: unknown;
  Attachable?: unknown;
  Labels?: unknown;
  Options?: unknown;
  IPAM?: unknown;
}

/** The IPv4 IPAM entry of the body (an IPv6 one is ignored: IPv6 is not supported). */
function ipamEntry(ipam: unknown): IpamConfigEntry | undefined {
  const config = ((ipam ?? {}) as Json).Config;
  if (!Array.isArray(config)) return undefined;
  for (const c of config as Json[]) {
    const subnet = String(c.Subnet ?? '');
    if (subnet.includes(':')) continue;
    if (subnet === '' && c.Gateway) throw invalidArgument('a gateway needs a subnet: give --subnet too');
    if (subnet === '') continue;
    return { Subnet: subnet, ...(c.Gateway ? { Gateway: String(c.Gateway) } : {}), ...(c.IPRange ? { IPRange: String(c.IPRange) } : {}) };
  }
  return undefined;
}

function blocksInUse(n: Networks) {
  return n.bridges().map((b) => ({ network: b.config.net.network, prefixLen: b.config.net.prefixLen }));
}

export async function createNetwork(n: Networks, body: CreateNetworkBody): Promise<NetworkRecord> {
  const name = String(body.Name ?? '');
  if (name === '') throw invalidArgument('network name must not be empty');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw invalidArgument(`invalid network name "${name}": must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  const driver = String(body.Driver ?? '') || 'bridge';
  if (driver === 'host' || driver === 'null') throw forbidden(`only one instance of "${driver}" network is allowed`);
  if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
  if (n.all().some((x) => x.name === name)) throw conflict(`network with name ${name} already exists`);
  const given = ipamEntry(body.IPAM);
  if (given?.IPRange !== undefined && given.IPRange !== given.Subnet) throw invalidArgument('--ip-range is not supported: give a --subnet of its own');
  const inUse = blocksInUse(n);
  const subnet = given ? parseSubnet(given.Subnet).subnet : pickSubnet(inUse);
  const net = userNet(subnet, given?.Gateway ?? '');
  if (given && inUse.some((b) => overlaps(b, net))) throw forbidden('Pool overlaps with other one on this address space');
  const id = randomBytes(32).toString('hex');
  const options = asRecord(body.Options);
  const record: NetworkRecord = {
    id,
    name,
    created: new Date().toISOString(),
    driver: 'bridge',
    bridge: options['com.docker.network.bridge.name'] ?? `br-${id.slice(0, 12)}`,
    subnet: net.subnet,
    gateway: net.gateway,
    ipamConfig: [given ? { Subnet: net.subnet, ...(given.Gateway ? { Gateway: net.gateway } : {}) } : { Subnet: net.subnet, Gateway: net.gateway }],
    subnetGiven: given !== undefined,
    internal: body.Internal === true,
    attachable: body.Attachable === true,
    labels: asRecord(body.Labels),
    options,
  };
  const opened = await openUserNetwork(record, n.ctx).catch(async (err: unknown) => {
    // a half-made bridge, chain or state directory goes again
    if (n.ctx.iptables) await removeChains(record.bridge).catch(() => undefined);
    await removeBridge(record.bridge).catch(() => undefined);
    removeUserNetworkState(n.ctx, record.id);
    throw err;
  });
  try {
    n.records.save(record);
  } catch (err) {
    await closeUserNetwork(opened, true);
    throw err;
  }
  n.user.set(id, opened);
  return record;
}

/** Refused while a running container has an endpoint on it; stopped containers keep their config and fail to start. */
export async function removeNetwork(n: Networks, ref: string): Promise<NetworkRecord> {
  const found = n.find(ref);
  if (!found) throw notFound(`network ${ref} not found`);
  if (found.kind === 'builtin') throw forbidden(`${found.name} is a pre-defined network and cannot be removed`);
  if (found.net.bridge.list().length > 0) throw forbidden(`error while removing network: network ${found.name} id ${found.id} has active endpoints`);
  await closeUserNetwork(found.net, true);
  removeUserNetworkState(n.ctx, found.id);
  n.records.remove(found.id);
  n.user.delete(found.id);
  return found.net.record;
}
