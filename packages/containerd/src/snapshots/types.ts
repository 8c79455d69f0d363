/**
 * The snapshotter vocabulary (containerd's snapshots package): kinds, info,
 * usage, mounts, and the interface every backend (overlayfs, native) serves.
 * Backends know nothing of namespaces; the metadata layer (metadata.ts) maps
 * a namespace's keys to backend keys "<ns>/<seq>/<key>", as containerd does.
 */
import { timestampFromDate, type Timestamp } from '@bufbuild/protobuf/wkt';

export type Kind = 'active' | 'view' | 'committed';

export interface Info {
  /** The key (active, view) or name (committed). */
  name: string;
  /** The parent's name; '' for none. */
  parent: string;
  kind: Kind;
  labels: Record<string, string>;
  /** RFC 3339 with nanoseconds, UTC (see nowTime). */
  created: string;
  updated: string;
}

export interface Usage {
  /** Bytes allocated (st_blocks * 512), each inode counted once. */
  size: number;
  inodes: number;
}

/** A mount as passed to mount(2) (containerd.types.Mount). */
export interface Mount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

export interface Snapshotter {
  /** "overlayfs", "native". */
  readonly name: string;
  /** <root>/io.containerd.snapshotter.v1.<name> */
  readonly root: string;
  stat(key: string): Promise<Info>;
  /** Labels only: paths "labels" or "labels.<key>"; none = replace all labels. */
  update(name: string, labels: Record<string, string>, paths: string[]): Promise<Info>;
  usage(key: string): Promise<Usage>;
  mounts(key: string): Promise<Mount[]>;
  prepare(key: string, parent: string, labels: Record<string, string>): Promise<Mount[]>;
  view(key: string, parent: string, labels: Record<string, string>): Promise<Mount[]>;
  commit(name: string, key: string, labels: Record<string, string>): Promise<void>;
  remove(key: string): Promise<void>;
  /** Every snapshot, in key order. */
  walk(): Promise<Info[]>;
  /** Removes directories no snapshot owns (interrupted creates, removals that failed). */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

/** containerd.io/snapshot/... labels are the ones handed down to backends (snapshots.FilterInheritedLabels). */
export const inheritedLabelsPrefix = 'containerd.io/snapshot/';

export function inheritedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k.startsWith(inheritedLabelsPrefix)));
}

let lastNanos = 0n;

/**
 * Now as RFC 3339 with nanoseconds ("2024-01-02T03:04:05.123456789Z", Go's
 * RFC3339Nano without trailing-zero trimming). Strictly increasing within the
 * process, so created/updated order is never ambiguous.
 */
export function nowTime(): string {
  let ns = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  if (ns <= lastNanos) ns = lastNanos + 1n;
  lastNanos = ns;
  const seconds = ns / 1_000_000_000n;
  const nanos = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${nanos}Z`;
}

export function toTimestamp(time: string): Timestamp {
  const ts = timestampFromDate(new Date(`${time.slice(0, 19)}Z`));
  const fraction = /\.(\d{1,9})Z$/.exec(time)?.[1] ?? '0';
  ts.nanos = Number(fraction.padEnd(9, '0'));
  return ts;
}

export function labelsCopy(labels: Record<string, string> | undefined): Record<string, string> {
  return { ...(labels ?? {}) };
}
