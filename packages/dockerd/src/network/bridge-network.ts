/**
 * One bridge network of berthd (the default `bridge` or a user network): the
 * Linux bridge and iptables chains (made or re-adopted at start, removed at a
 * normal stop when no container is on it, and when the network is removed),
 * IPAM, and per container run an endpoint (veth, address in the container's
 * namespace) with its published ports (proxy listeners first, which reserve
 * the ports, then DNAT rules). attach() before the task is created (or on
 * `network connect`), detach() when the run ends; both undo everything on
 * failure and are safe to repeat.
 */
import fs from 'node:fs';
import path from 'node:path';
import { internal } from '@berth/errors';
import type { Logger } from '@berth/containerd/log';
import { ensureBridge, removeBridge } from './bridge.js';
import type { Ipv4Net } from './cidr.js';
import { newEndpoint, plumb, unplumb, type Endpoint, type EndpointRequest, type PortBinding } from './endpoint.js';
import { addPortRule, removeChains, removePortRule, setupChains } from './iptables.js';
import { Ipam } from './ipam.js';
import { ephemeralRange, type PortRequest } from './ports.js';
import { startProxy, type Proxy } from './proxy.js';
import { writeFileAtomic } from '../atomic-file.js';

export interface BridgeConfig {
  /** The Linux bridge. */
  name: string;
  /** The network's name, for error texts. */
  networkName: string;
  net: Ipv4Net;
  iptables: boolean;
  ipMasq: boolean;
  /** No traffic in or out of the bridge but between its containers (and to the gateway address). */
  internal: boolean;
}

/** Where the network keeps its address book and its endpoints' records. */
export interface BridgeState {
  ipamFile: string;
  endpointDir: string;
}

/** What a container asks of its endpoint: `ip` '' for the next free address. */
export type AttachRequest = Omit<EndpointRequest, 'ip'> & { ip: string };

export class BridgeNetwork {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly proxies = new Map<string, Proxy[]>();
  private readonly ipam: Ipam;
  private readonly endpointDir: string;
  private nextPort = ephemeralRange[0];

  constructor(readonly config: BridgeConfig, state: BridgeState, private readonly log: Logger) {
    this.ipam = new Ipam(state.ipamFile, config.net, config.networkName);
    this.endpointDir = state.endpointDir;
  }

  /** Bridge and chains up; endpoints of containers still running re-adopted (rules and proxies again), the rest taken down. */
  async init(isRunning: (id: string) => boolean): Promise<void> {
    await ensureBridge(this.config.name, this.config.net);
    if (this.config.iptables) await setupChains(this.config.name, this.config.net.subnet, { masquerade: this.config.ipMasq && !this.config.internal, internal: this.config.internal });
    fs.mkdirSync(this.endpointDir, { recursive: true, mode: 0o700 });
    for (const f of fs.readdirSync(this.endpointDir)) {
      if (!f.endsWith('.json')) continue;
      let ep: Endpoint;
      try {
        ep = JSON.parse(fs.readFileSync(path.join(this.endpointDir, f), 'utf8')) as Endpoint;
      } catch {
        fs.rmSync(path.join(this.endpointDir, f), { force: true });
        continue;
      }
      this.endpoints.set(ep.containerId, ep);
      if (!isRunning(ep.containerId)) {
        await this.detach(ep.containerId);
        continue;
      }
      try {
        await this.publish(ep, ep.ports.map((p) => ({ proto: p.proto, containerPort: p.containerPort, hostIp: p.hostIp, hostPorts: [p.hostPort, p.hostPort] })), '');
      } catch (err) {
        this.log.warn('re-publishing ports of a restored container', { id: ep.containerId, error: (err as Error).message });
      }
    }
    this.ipam.releaseAllBut(new Set(this.endpoints.keys()));
  }

  endpoint(id: string): Endpoint | undefined {
    return this.endpoints.get(id);
  }

  list(): Endpoint[] {
    return [...this.endpoints.values()];
  }

  /** A container's run joins the bridge; `name` is for docker's error text. Ports are published on the endpoint with the default route only. */
  async attach(id: string, name: string, req: AttachRequest, ports: PortRequest[]): Promise<Endpoint> {
    await this.detach(id); // a leftover of a crashed run
    const ep = newEndpoint(id, { ...req, ip: this.ipam.allocate(id, req.ip) });
    this.endpoints.set(id, ep);
    try {
      this.save(ep);
      await plumb(ep, this.config.name, this.config.net);
      if (ep.gatewayRoute === true && !this.config.internal) await this.publish(ep, ports, name);
      this.save(ep);
    } catch (err) {
      await this.detach(id);
      throw err;
    }
    return ep;
  }

  async detach(id: string): Promise<void> {
    const ep = this.endpoints.get(id) ?? this.load(id);
    for (const p of this.proxies.get(id) ?? []) p.close();
    this.proxies.delete(id);
    if (ep) {
      if (this.config.iptables) for (const p of ep.ports) await removePortRule(this.config.name, { ...p, containerIp: ep.ip });
      await unplumb(ep);
    }
    this.ipam.release(id);
    this.endpoints.delete(id);
    fs.rmSync(path.join(this.endpointDir, `${id}.json`), { force: true });
  }

  /** At a normal stop: proxies end with berthd; the bridge and chains go when no container is left on them. */
  async shutdown(): Promise<void> {
    for (const list of this.proxies.values()) for (const p of list) p.close();
    this.proxies.clear();
    if (this.endpoints.size > 0) {
      this.log.info('keeping the bridge: containers still use it', { bridge: this.config.name, containers: this.endpoints.size });
      return;
    }
    await this.takeDown();
  }

  /** The network removed: bridge, chains, address book and endpoint records gone (the caller checked no container is on it). */
  async destroy(): Promise<void> {
    for (const id of [...this.endpoints.keys()]) await this.detach(id);
    await this.takeDown();
    this.ipam.discard();
    fs.rmSync(this.endpointDir, { recursive: true, force: true });
  }

  private async takeDown(): Promise<void> {
    if (this.config.iptables) await removeChains(this.config.name);
    await removeBridge(this.config.name);
  }

  private async publish(ep: Endpoint, requests: PortRequest[], name: string): Promise<void> {
    const bound: PortBinding[] = [];
    const proxies: Proxy[] = [];
    this.proxies.set(ep.containerId, proxies);
    for (const r of requests) {
      const [proxy, hostPort] = await this.bindPort(ep, r, name);
      proxies.push(proxy);
      const b: PortBinding = { proto: r.proto, containerPort: r.containerPort, hostIp: r.hostIp === '' ? '0.0.0.0' : r.hostIp, hostPort };
      bound.push(b);
      ep.ports = bound;
      if (this.config.iptables) await addPortRule(this.config.name, { ...b, containerIp: ep.ip });
    }
    ep.ports = bound;
  }

  private async bindPort(ep: Endpoint, r: PortRequest, name: string): Promise<[Proxy, number]> {
    const random = r.hostPorts[0] === 0;
    const [lo, hi] = random ? ephemeralRange : r.hostPorts;
    const tries = hi - lo + 1;
    let lastErr: unknown;
    let port = lo;
    for (let i = 0; i < tries; i++) {
      if (random) {
        port = this.nextPort;
        this.nextPort = this.nextPort >= hi ? lo : this.nextPort + 1;
      } else port = lo + i;
      try {
        return [await startProxy(r.proto, r.hostIp, port, ep.ip, r.containerPort), port];
      } catch (err) {
        lastErr = err;
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (err as NodeJS.ErrnoException).code !== 'EACCES') break;
      }
    }
    const cause = (lastErr as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' ? 'address already in use' : (lastErr as Error).message;
    throw internal(`driver failed programming external connectivity on endpoint ${name} (${ep.endpointId}): failed to bind host port for ${r.hostIp || '0.0.0.0'}:${port}:${ep.ip}:${r.containerPort}/${r.proto}: ${cause}`, lastErr);
  }

  private save(ep: Endpoint): void {
    const file = path.join(this.endpointDir, `${ep.containerId}.json`);
    writeFileAtomic(file, JSON.stringify(ep), 0o644);
  }

  private load(id: string): Endpoint | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.endpointDir, `${id}.json`), 'utf8')) as Endpoint;
    } catch {
      return undefined;
    }
  }
}
