/**
 * The labels the collector reads (metadata/gc.go):
 *
 *   containerd.io/gc.root                    the object is a root
 *   containerd.io/gc.ref.content[.|/<name>]  references a blob (value: digest)
 *   containerd.io/gc.ref.snapshot.<snapshotter>[/<name>]  references a snapshot (value: key)
 *   containerd.io/gc.expire                  on a lease: RFC 3339 time after which it no longer counts
 *   containerd.io/gc.flat                    on a lease: keep what it holds, not what that references
 */
import { NodeType, type Emit } from './types.js';

export const gcLabels = {
  root: 'containerd.io/gc.root',
  contentRef: 'containerd.io/gc.ref.content',
  snapshotRef: 'containerd.io/gc.ref.snapshot.',
  expire: 'containerd.io/gc.expire',
  flat: 'containerd.io/gc.flat',
} as const;

/** Emits the content and snapshot nodes the labels reference, in key order as containerd walks them. */
export function labelReferences(namespace: string, labels: Record<string, string>, emit: Emit): void {
  for (const key of Object.keys(labels).sort()) {
    const value = labels[key]!;
    if (key.startsWith(gcLabels.contentRef)) {
      // "containerd.io/gc.ref.content", or a name after '.' or '/'; not e.g. "...contentx"
      const sep = key[gcLabels.contentRef.length];
      if (sep === undefined || sep === '.' || sep === '/') emit({ type: NodeType.content, namespace, key: value });
    } else if (key.startsWith(gcLabels.snapshotRef)) {
      let snapshotter = key.slice(gcLabels.snapshotRef.length);
      const slash = snapshotter.indexOf('/');
      if (slash >= 0) snapshotter = snapshotter.slice(0, slash);
      emit({ type: NodeType.snapshot, namespace, key: `${snapshotter}/${value}` });
    }
  }
}

export const isRootLabelled = (labels: Record<string, string>): boolean => Object.hasOwn(labels, gcLabels.root);

const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i;

/** The expiry of a lease, undefined when it has none or an unreadable one (then it does not expire, as in containerd). */
export function leaseExpiry(labels: Record<string, string>): Date | undefined {
  const v = labels[gcLabels.expire];
  if (v === undefined || !rfc3339.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
}
