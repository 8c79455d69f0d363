/** The state JSON runc prints for `state` and `list --format json`, and gives to hooks. */
import type { ContainerRecord } from '../state/store.js';
import type { ContainerStatus } from './status.js';
import type { OciState } from './hooks.js';

export const OCI_VERSION = '1.0.2-dev';

/** Key order and omissions as runc 1.1's containerState. */
export interface RuncState {
  ociVersion: string;
  id: string;
  pid: number;
  status: ContainerStatus;
  bundle: string;
  rootfs: string;
  created: string;
  annotations?: Record<string, string>;
  owner: string;
}

export function runcState(record: ContainerRecord, status: ContainerStatus, owner = ''): RuncState {
  const annotations = record.config.annotations;
  return {
    ociVersion: OCI_VERSION,
    id: record.id,
    pid: status === 'stopped' ? 0 : record.initPid,
    status,
    bundle: record.bundle,
    rootfs: record.rootfs,
    created: record.created,
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
    owner,
  };
}

export function hookState(record: Pick<ContainerRecord, 'id' | 'bundle' | 'config'>, status: string, pid?: number): OciState {
  const annotations = record.config.annotations;
  return {
    ociVersion: OCI_VERSION,
    id: record.id,
    status,
    ...(pid !== undefined ? { pid } : {}),
    bundle: record.bundle,
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

/** RFC 3339 with nanoseconds in UTC, as Go's time.RFC3339Nano prints (trailing zeros trimmed). */
export function rfc3339Nano(ms: number, extraNs: bigint): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.123Z
  const base = iso.slice(0, 19);
  const ns = (BigInt(ms % 1000) * 1_000_000n + extraNs).toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${ns ? `.${ns}` : ''}Z`;
}

export function nowRfc3339Nano(): string {
  const ns = process.hrtime.bigint() % 1_000_000n;
  return rfc3339Nano(Date.now(), ns);
}
