/**
 * Which ports a container publishes: HostConfig.PortBindings ("80/tcp" ->
 * [{HostIp, HostPort}], an empty HostPort meaning any free one) and, with
 * PublishAllPorts (-P), every ExposedPorts entry not bound otherwise, on a
 * random port of docker's range 32768-60999.
 */
import { invalidArgument } from '@berth/errors';

export type Proto = 'tcp' | 'udp';

export interface PortRequest {
  proto: Proto;
  containerPort: number;
  hostIp: string;
  /** Inclusive range of acceptable host ports; [0, 0] means any in the ephemeral range. */
  hostPorts: [number, number];
}

export const ephemeralRange: [number, number] = [32768, 60999];

function portNumber(s: string, what: string): number {
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 65535) throw invalidArgument(`invalid ${what}: ${s}`);
  return Number(s);
}

export function parsePortKey(key: string): { containerPort: number; proto: Proto } {
  const [port = '', proto = 'tcp'] = key.split('/');
  if (proto !== 'tcp' && proto !== 'udp') throw invalidArgument(`invalid proto: ${proto}`);
  return { containerPort: portNumber(port, 'containerPort'), proto };
}

function hostPortRange(s: string): [number, number] {
  if (s === '' || s === '0') return [0, 0];
  const [a = '', b] = s.split('-');
  const lo = portNumber(a, 'hostPort');
  const hi = b === undefined ? lo : portNumber(b, 'hostPort');
  if (hi < lo) throw invalidArgument(`invalid hostPort: ${s}`);
  return [lo, hi];
}

type Bindings = Record<string, { HostIp?: string; HostPort?: string }[] | null> | null | undefined;

export function portRequests(bindings: Bindings, publishAll: boolean, exposed: Record<string, unknown> | undefined): PortRequest[] {
  const out: PortRequest[] = [];
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { containerPort, proto } = parsePortKey(key);
    for (const b of list ?? []) {
      const hostIp = b.HostIp ?? '';
      if (hostIp !== '' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIp)) throw invalidArgument(`invalid host IP ${hostIp}: only IPv4 addresses are supported by berthd's bridge`);
      out.push({ proto, containerPort, hostIp, hostPorts: hostPortRange(b.HostPort ?? '') });
    }
  }
  if (publishAll) {
    for (const key of Object.keys(exposed ?? {})) {
      if (bindings && key in bindings) continue;
      const { containerPort, proto } = parsePortKey(key);
      out.push({ proto, containerPort, hostIp: '', hostPorts: [0, 0] });
    }
  }
  return out;
}

/** Checked at create, so bad bindings fail `docker create` and not only `start`. */
export function checkPortBindings(bindings: Bindings): void {
  portRequests(bindings, false, undefined);
}
