/**
 * POST /networks/{id}/connect and /disconnect: a container joins or leaves a
 * network. A stopped one only has its settings changed (it joins at its next
 * start); a running one gets (or loses) the endpoint in its namespace at once,
 * as the next free ethN, without the default route. dockerd's rules and texts.
 */
import fs from 'node:fs';
import { failedPrecondition, forbidden, internal, invalidArgument, notFound } from '@berth/errors';
import type { Container } from '../containers/container.js';
import type { Engine } from '../containers/engine.js';
import { isRunning, type EndpointConfig } from '../containers/model.js';
import { attachEndpoint, joinedNetworks } from './container.js';
import { endpointConfigFor } from './create-endpoints.js';
import { networks, type NetworkRef, type Networks } from './registry.js';
import { sandboxPath } from './sandbox.js';

function lookup(n: Networks | undefined, ref: string): [Networks, NetworkRef] {
  const found = n?.find(ref);
  if (!n || !found) throw notFound(`network ${ref} not found`);
  return [n, found];
}

function checkMode(c: Container, ref: NetworkRef): void {
  const mode = c.record.hostConfig.NetworkMode;
  if (mode === 'host' || ref.name === 'host') throw invalidArgument('container cannot be disconnected from host network or connected to host network');
  if (mode === 'none' || ref.name === 'none') throw invalidArgument('container cannot be connected to multiple networks with one of the networks in private (none) mode');
  if (mode.startsWith('container:')) throw invalidArgument('container sharing network namespace with another container or host cannot be connected to any other network');
}

const configsOf = (c: Container): Record<string, EndpointConfig> => Object.fromEntries(joinedNetworks(c.record));

/** The lowest ethN the container's namespace does not have yet. */
function nextInterface(n: Networks, id: string): string {
  // records of older berthd name no interface: theirs is eth0
  const used = new Set(n.bridges().map((b) => b.endpoint(id)).filter((ep) => ep !== undefined).map((ep) => ep.ifName ?? 'eth0'));
  for (let i = 0; ; i++) if (!used.has(`eth${i}`)) return `eth${i}`;
}

/** The container is looked up first, as moby does (its 404 wins over the network's). */
export async function connectContainer(e: Engine, netRef: string, containerRef: string, body: unknown): Promise<void> {
  const c = e.store.get(containerRef);
  const [n, ref] = lookup(networks(), netRef);
  checkMode(c, ref);
  await c.serial(async () => {
    const configs = configsOf(c);
    if (configs[ref.name]) throw forbidden(`endpoint with name ${c.record.name.slice(1)} already exists in network ${ref.name}`);
    const config = endpointConfigFor(ref, body);
    if (isRunning(c.record.state)) {
      const bridge = n.bridgeOf(ref.name);
      const sandbox = sandboxPath(n.ctx.execRoot, c.id);
      if (!bridge) throw failedPrecondition(`network ${ref.name} has no bridge to connect to`);
      if (!fs.existsSync(sandbox)) throw failedPrecondition(`container ${c.id} runs in a network namespace berthd did not make: restart it to connect it`);
      await attachEndpoint(c.record, sandbox, { bridge, config }, nextInterface(n, c.id), false, []);
    }
    c.record.endpointsConfig = { ...configs, [ref.name]: config };
    e.store.save(c);
  });
  e.events.publish('network', 'connect', ref.id, { container: c.id, name: ref.name, type: 'bridge' });
}

export async function disconnectContainer(e: Engine, netRef: string, containerRef: string): Promise<void> {
  const c = e.store.get(containerRef);
  const [n, ref] = lookup(networks(), netRef);
  checkMode(c, ref);
  await c.serial(async () => {
    const configs = configsOf(c);
    if (!configs[ref.name]) throw internal(`container ${c.id} is not connected to network ${ref.name}`);
    if (isRunning(c.record.state)) await n.bridgeOf(ref.name)?.detach(c.id);
    delete configs[ref.name];
    c.record.endpointsConfig = configs;
    e.store.save(c);
  });
  e.events.publish('network', 'disconnect', ref.id, { container: c.id, name: ref.name, type: 'bridge' });
}
