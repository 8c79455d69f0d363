/**
 * The networks of this berthd: the predefined `bridge` (absent with
 * --bridge none), `host` and `none`, with IDs and creation times made once and
 * kept in <data-root>/network/networks.json, as dockerd keeps its network IDs.
 * One daemon per process, so the views (which get a container, not the
 * engine) find them here.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BridgeNetwork } from './bridge-network.js';
import { writeFileAtomic } from '../atomic-file.js';

export interface NetworkIdentity {
  id: string;
  created: string;
}

export interface Networks {
  bridge: BridgeNetwork | undefined;
  ids: Record<'bridge' | 'host' | 'none', NetworkIdentity>;
}

let current: Networks | undefined;

export function loadNetworks(dataRoot: string, bridge: BridgeNetwork | undefined): Networks {
  const file = path.join(dataRoot, 'network', 'networks.json');
  let ids: Partial<Networks['ids']> = {};
  try {
    ids = JSON.parse(fs.readFileSync(file, 'utf8')) as Networks['ids'];
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
  current = { bridge, ids: ids as Networks['ids'] };
  return current;
}

export function networks(): Networks | undefined {
  return current;
}
