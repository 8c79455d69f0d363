/**
 * The garbage collector's vocabulary (containerd's gc.Node): a node is one
 * collectible resource in one namespace. Content, ingests and leases are
 * known to the collector itself; other stores (snapshots, and later
 * containers) plug in through GcResourceStore.
 */
import type { ReadTx, WriteTx } from '../metadata/db.js';

export const NodeType = {
  content: 'content',
  ingest: 'ingest',
  lease: 'lease',
  /** key "<snapshotter>/<snapshot key>", as containerd writes it */
  snapshot: 'snapshot',
} as const;

export interface GcNode {
  type: string;
  namespace: string;
  key: string;
  /**
   * Reached through a lease labelled "containerd.io/gc.flat": the node is kept
   * but its label references are not followed (a snapshot still keeps its parent).
   */
  flat?: boolean;
}

export type Emit = (node: GcNode) => void;

/**
 * A store whose objects the collector manages without knowing their layout,
 * e.g. the snapshot store with type 'snapshot' and keys "<snapshotter>/<key>".
 * Every method but cleanup runs inside the collector's one metadata update,
 * during which no other update runs, so what it reads cannot change under it.
 *
 * - roots: nodes that must stay whatever references them (a gc.root label,
 *   a container's snapshot); they may be of any type.
 * - references: what a node of `type` keeps alive (a parent snapshot, the
 *   label references, see labelReferences in labels.ts; none for a flat node's labels).
 * - all: every node of `type` in the namespace; those not reached are removed.
 * - remove: deletes the metadata record of an unreachable node.
 * - cleanup: after the update, frees storage no record refers to any more
 *   (called only when this collection removed some node of `type`, or when
 *   the store says it is dirty).
 */
export interface GcResourceStore {
  readonly type: string;
  roots(tx: ReadTx, namespace: string, emit: Emit): Promise<void>;
  references(tx: ReadTx, node: GcNode, emit: Emit): Promise<void>;
  all(tx: ReadTx, namespace: string, emit: Emit): Promise<void>;
  remove(tx: WriteTx, node: GcNode): Promise<void>;
  cleanup(): Promise<void>;
  /** True when storage may hold something unreferenced even though no node was removed (e.g. after a crash). */
  dirty?(): boolean;
}

export interface GcStats {
  /** Time spent marking and sweeping records (the pause of every metadata update). */
  metaMs: number;
  contentMs?: number;
  /** Cleanup time per resource type. */
  cleanupMs: Record<string, number>;
  /** Removed records by node type. */
  removed: Record<string, number>;
}
