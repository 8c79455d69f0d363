/**
 * The networks of this berthd: the predefined `bridge` (absent with
 * --bridge none), `host` and `none`, with IDs and creation times made once and
 * kept in <data-root>/network/networks.json, as dockerd keeps its network IDs,
 * and the user-defined bridge networks (records.ts, user-network.ts). One
 * daemon per process, so the views (which get a container, not the engine)
 * find them here.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BridgeNetwork } from './bridge-network.js';
import { NetworkRecords } from './records.js';
import { closeUserNetwork, openUserNetwork, type NetworkContext, type UserNetwork } from './user-network.js';
import { writeFileAtomic } from '../atomic-file.js';

export interface NetworkIdentity {
  id: string;
  created: string;
}

export type BuiltinName = 'bridge' | 'host' | 'none';

/** A network as a reference resolves it. */
export type NetworkRef = { kind: 'builtin'; name: BuiltinName; id: string } | { kind: 'user'; name: string; id: string; net: UserNetwork };

export class Networks {
  readonly user = new Map<string, UserNetwork>();
  readonly records: NetworkRecords;

  constructor(
    readonly bridge: BridgeNetwork | undefined,
    readonly ids: Record<BuiltinName, NetworkIdentity>,
    readonly ctx: NetworkContext,
  ) {
    this.records = new NetworkRecords(path.join(ctx.dataRoot, 'network', 'networks'), ctx.log);
  }

  builtinNames(): BuiltinName[] {
    return this.bridge ? ['bridge', 'host', 'none'] : ['host', 'none'];
  }

  all(): NetworkRef[] {
    return [
      ...this.builtinNames().map((name): NetworkRef => ({ kind: 'builtin', name, id: this.ids[name].id })),
      ...[...this.user.values()].map((net): NetworkRef => ({ kind: 'user', name: net.record.name, id: net.record.id, net })),
    ];
  }

  /** By name, full ID or unique ID prefix, as moby's FindNetwork resolves one; `default` is the bridge. */
  find(ref: string): NetworkRef | undefined {
    const all = this.all();
    const want = ref === 'default' ? 'bridge' : ref;
    const exact = all.find((n) => n.name === want) ?? all.find((n) => n.id === want);
    if (exact) return exact;
    const prefix = all.filter((n) => want !== '' && n.id.startsWith(want));
    return prefix.length === 1 ? prefix[0] : undefined;
  }

  /** The bridge network behind a network name (undefined for host/none, or bridge with --bridge none). */
  bridgeOf(name: string): BridgeNetwork | undefined {
    if (name === 'bridge') return this.bridge;
    const ref = this.find(name);
    return ref?.kind === 'user' ? ref.net.bridge : undefined;
  }

  bridges(): BridgeNetwork[] {
    return [...(this.bridge ? [this.bridge] : []), ...[...this.user.values()].map((u) => u.bridge)];
  }

  /** At start-up: every user network's bridge, chains and DNS server up again. */
  async openAll(): Promise<void> {
    for (const r of this.records.loadAll()) {
      try {
        this.user.set(r.id, await openUserNetwork(r, this.ctx));
      } catch (err) {
        this.ctx.log.error('network could not be brought up', { network: r.name, error: (err as Error).message });
      }
    }
  }

  async shutdown(): Promise<void> {
    for (const u of this.user.values()) {
      await closeUserNetwork(u, false).catch((err: unknown) => this.ctx.log.warn('closing a network', { network: u.record.name, error: (err as Error).message }));
    }
    await this.bridge?.shutdown();
  }
}

let current: Networks | undefined;

function loadIds(dataRoot: string): Record<BuiltinName, NetworkIdentity> {
  const file = path.join(dataRoot, 'network', 'networks.json');
  let ids: Partial<Record<BuiltinName, NetworkIdentity>> = {};
  try {
    ids = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<BuiltinName, NetworkIdentity>;
  } catch {
    ids = {};
  }
  let changed = false;
  for (const name of ['bridge', 'host', 'none'] as const) {
    if (ids[name]) continue;
    ids[name] = { id: randomBytes(32).toString('hex'), created: new Date().toISOString() };
    changed = true;
  }
  if (changed) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, JSON.stringify(ids), 0o644);
  }
  return ids as Record<BuiltinName, NetworkIdentity>;
}

export async function loadNetworks(ctx: NetworkContext, bridge: BridgeNetwork | undefined): Promise<Networks> {
  const n = new Networks(bridge, loadIds(ctx.dataRoot), ctx);
  await n.openAll();
  current = n;
  return n;
}

export function networks(): Networks | undefined {
  return current;
}
