/**
 * Snapshots for the garbage collector (gc/types.ts GcResourceStore), with
 * containerd's rules (metadata/gc.go): node keys are "<snapshotter>/<key>";
 * a snapshot labelled containerd.io/gc.root is a root; a snapshot keeps its
 * parent and whatever its gc.ref labels name (a flat node keeps only its
 * parent); removing a node deletes its record, and cleanup then removes the
 * backend snapshots and directories no record refers to.
 */
import { labelReferences, isRootLabelled } from '../gc/labels.js';
import { NodeType, type Emit, type GcNode, type GcResourceStore } from '../gc/types.js';
import type { ReadTx, WriteTx } from '../metadata/db.js';
import { deleteRecord, getRecord, listRecords } from './records.js';
import type { Snapshotters } from './registry.js';

function split(key: string): { snapshotter: string; key: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { snapshotter: key, key: '' } : { snapshotter: key.slice(0, slash), key: key.slice(slash + 1) };
}

export function snapshotGcStore(snapshotters: Snapshotters): GcResourceStore {
  // A crash may have left backend snapshots whose records are gone: look once after start.
  let dirty = true;
  const node = (namespace: string, snapshotter: string, key: string): GcNode => ({
    type: NodeType.snapshot,
    namespace,
    key: `${snapshotter}/${key}`,
  });
  return {
    type: NodeType.snapshot,

    async roots(tx: ReadTx, namespace: string, emit: Emit) {
      for (const sn of snapshotters.names()) {
        for (const [key, r] of await listRecords(tx, namespace, sn)) if (isRootLabelled(r.labels)) emit(node(namespace, sn, key));
      }
    },

    async references(tx: ReadTx, n: GcNode, emit: Emit) {
      const { snapshotter, key } = split(n.key);
      const r = await getRecord(tx, n.namespace, snapshotter, key);
      if (r === undefined) return;
      if (r.parent !== '') emit(node(n.namespace, snapshotter, r.parent));
      if (n.flat !== true) labelReferences(n.namespace, r.labels, emit);
    },

    async all(tx: ReadTx, namespace: string, emit: Emit) {
      for (const sn of snapshotters.names()) for (const [key] of await listRecords(tx, namespace, sn)) emit(node(namespace, sn, key));
    },

    async remove(tx: WriteTx, n: GcNode) {
      const { snapshotter, key } = split(n.key);
      await deleteRecord(tx, n.namespace, snapshotter, key);
    },

    async cleanup() {
      await snapshotters.collect();
      dirty = false;
    },

    dirty: () => dirty,
  };
}
