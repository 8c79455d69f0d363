/**
 * The user networks' records: one JSON file each under
 * <data-root>/network/networks/<id>.json (written atomically), as dockerd
 * keeps its networks in its local store. Everything a network is made of
 * (bridge, chains, DNS server) is rebuilt from its record at start.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@berth/containerd/log';
import { writeFileAtomic } from '../atomic-file.js';

export interface IpamConfigEntry {
  Subnet: string;
  Gateway?: string;
  IPRange?: string;
}

export interface NetworkRecord {
  id: string;
  name: string;
  created: string;
  driver: 'bridge';
  /** The Linux bridge: br-<first 12 hex of the ID>, or the com.docker.network.bridge.name option. */
  bridge: string;
  subnet: string;
  gateway: string;
  /** IPAM.Config as inspect shows it (the Gateway only when one was given or the subnet was picked). */
  ipamConfig: IpamConfigEntry[];
  /** The subnet came from the create body (--ip needs it, as in docker). */
  subnetGiven: boolean;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
}

export class NetworkRecords {
  constructor(private readonly dir: string, private readonly log: Logger) {}

  loadAll(): NetworkRecord[] {
    let files: string[] = [];
    try {
      files = fs.readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    const out: NetworkRecord[] = [];
    for (const f of files) {
      try {
        out.push(JSON.parse(fs.readFileSync(path.join(this.dir, f), 'utf8')) as NetworkRecord);
      } catch (err) {
        this.log.warn('skipping an unreadable network record', { file: f, error: (err as Error).message });
      }
    }
    return out;
  }

  save(r: NetworkRecord): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(path.join(this.dir, `${r.id}.json`), JSON.stringify(r), 0o600);
  }

  remove(id: string): void {
    fs.rmSync(path.join(this.dir, `${id}.json`), { force: true });
  }
}
