/**
 * A bridge network's address book: one IPv4 address per running container,
 * kept in <data-root>/network/ipam.json (written atomically: temp file, fsync,
 * rename), so an address held by a container that lives on across a berthd
 * restart is never handed out again. Released when the container's run ends.
 */
import fs from 'node:fs';
import path from 'node:path';
import { conflict, invalidArgument, unavailable } from '@berth/errors';
import { contains, hostRange, intToIp, ipToInt, type Ipv4Net } from './cidr.js';
import { writeFileAtomic } from '../atomic-file.js';

interface IpamFile {
  subnet: string;
  /** address -> container ID */
  allocated: Record<string, string>;
}

export class Ipam {
  private state: IpamFile;

  constructor(private readonly file: string, private readonly net: Ipv4Net, private readonly networkName: string) {
    let loaded: IpamFile | undefined;
    try {
      loaded = JSON.parse(fs.readFileSync(file, 'utf8')) as IpamFile;
    } catch {
      loaded = undefined;
    }
    // a different --bip starts a fresh book: the old addresses are not in this subnet
    this.state = loaded && loaded.subnet === net.subnet ? loaded : { subnet: net.subnet, allocated: {} };
  }

  /** The address the container holds, else the one it asks for (--ip), else the lowest free. */
  allocate(containerId: string, wanted = ''): string {
    const held = this.addressOf(containerId);
    if (held && (wanted === '' || wanted === held)) return held;
    if (held) this.release(containerId);
    const r = hostRange(this.net);
    if (wanted !== '') {
      const n = ipToInt(wanted);
      if (!contains(this.net, wanted) || n < r.first || n > r.last) throw invalidArgument(`no configured subnet or ip-range contain the IP address ${wanted}`);
      if (n === r.gateway || wanted in this.state.allocated) throw conflict(`Address already in use: ${wanted} on network ${this.networkName}`);
      this.state.allocated[wanted] = containerId;
      this.save();
      return wanted;
    }
    for (let n = r.first; n <= r.last; n++) {
      const ip = intToIp(n);
      if (n === r.gateway || ip in this.state.allocated) continue;
      this.state.allocated[ip] = containerId;
      this.save();
      return ip;
    }
    throw unavailable(`no available IPv4 addresses on network ${this.networkName} (${this.net.subnet})`);
  }

  addressOf(containerId: string): string | undefined {
    return Object.entries(this.state.allocated).find(([, id]) => id === containerId)?.[0];
  }

  release(containerId: string): void {
    const before = Object.keys(this.state.allocated).length;
    for (const [ip, id] of Object.entries(this.state.allocated)) if (id === containerId) delete this.state.allocated[ip];
    if (Object.keys(this.state.allocated).length !== before) this.save();
  }

  /** Addresses whose container is not among the living (a crash between allocate and release). */
  releaseAllBut(keep: Set<string>): void {
    for (const id of new Set(Object.values(this.state.allocated))) if (!keep.has(id)) this.release(id);
  }

  /** The network is gone: so is its book. */
  discard(): void {
    this.state.allocated = {};
    fs.rmSync(this.file, { force: true });
  }

  holders(): string[] {
    return Object.entries(this.state.allocated).sort(([a], [b]) => ipToInt(a) - ipToInt(b)).map(([, id]) => id);
  }

  private save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, JSON.stringify(this.state));
  }
}
