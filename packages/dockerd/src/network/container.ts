/**
 * The containers' side of the bridge: a run in `bridge` mode joins it before
 * its task is created (its /etc/hosts then names its address) and leaves it
 * when the run ends. With --bridge none there is no bridge network and
 * `bridge` mode stays an isolated namespace the runtime makes (only lo).
 */
import fs from 'node:fs';
import type { ContainerRecord } from '../containers/model.js';
import { hostsFile } from '../containers/host-files.js';
import { portRequests } from './ports.js';
import { networks } from './registry.js';

/** The path of the namespace the container's task must join, or undefined for the runtime to make one. */
export async function joinNetwork(rec: ContainerRecord): Promise<string | undefined> {
  const bridge = networks()?.bridge;
  if (rec.hostConfig.NetworkMode !== 'bridge' || !bridge) return undefined;
  const hc = rec.hostConfig;
  const requests = portRequests(hc.PortBindings as Parameters<typeof portRequests>[0], hc.PublishAllPorts === true, rec.config.ExposedPorts);
  const ep = await bridge.attach(rec.id, rec.name.slice(1), requests);
  try {
    const names = rec.config.Domainname ? `${rec.config.Hostname}.${rec.config.Domainname} ${rec.config.Hostname}` : rec.config.Hostname;
    fs.writeFileSync(rec.hostsPath, hostsFile(false, (hc.ExtraHosts as string[] | null | undefined) ?? [], { ip: ep.ip, names }));
  } catch (err) {
    await bridge.detach(rec.id);
    throw err;
  }
  return ep.netnsPath;
}

/** Everything of the container's run on the bridge taken down; a no-op when it has nothing there. */
export async function leaveNetwork(id: string): Promise<void> {
  await networks()?.bridge?.detach(id);
}
