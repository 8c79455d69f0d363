/**
 * containerd.services.snapshots.v1.Snapshots over the namespaced snapshotters
 * (containerd's services/snapshots): the snapshotter is named per call, the
 * namespace and lease come from the call's metadata. Prepare, Commit and
 * Remove publish /snapshot/{prepare,commit,remove} (View publishes nothing,
 * as in containerd). List streams in blocks of 100.
 */
import type { Metadata } from '@grpc/grpc-js';
import { SnapshotCommitSchema, SnapshotPrepareSchema, SnapshotRemoveSchema } from '../gen/containerd/events/snapshot_pb.js';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  Kind,
  Snapshots,
  type ListSnapshotsResponseSchema,
} from '../gen/containerd/services/snapshots/v1/snapshots_pb.js';
import type { Exchange } from '../events/exchange.js';
import type { CallContext, ImplOf } from '../grpc/types.js';
import { leaseHeader } from './leases.js';
import type { Caller } from './metadata.js';
import type { Snapshotters } from './registry.js';
import { toTimestamp, type Info, type Mount } from './types.js';

const kindOf = { active: Kind.ACTIVE, view: Kind.VIEW, committed: Kind.COMMITTED } as const;

export function infoMessage(info: Info) {
  return {
    name: info.name,
    parent: info.parent,
    kind: kindOf[info.kind],
    createdAt: toTimestamp(info.created),
    updatedAt: toTimestamp(info.updated),
    labels: info.labels,
  };
}

const mountMessages = (mounts: Mount[]) => mounts.map((m) => ({ type: m.type, source: m.source, target: m.target ?? '', options: m.options }));

function leaseOf(metadata: Metadata): string | undefined {
  const v = metadata.get(leaseHeader)[0];
  const lease = typeof v === 'string' ? v : v?.toString('utf8');
  return lease === undefined || lease === '' ? undefined : lease;
}

function caller(ctx: CallContext): Caller {
  const lease = leaseOf(ctx.metadata);
  return lease === undefined ? { namespace: ctx.namespace() } : { namespace: ctx.namespace(), lease };
}

export function snapshotsService(snapshotters: Snapshotters, events: Exchange): ImplOf<typeof Snapshots> {
  return {
    async prepare(req, ctx) {
      const sn = snapshotters.get(req.snapshotter);
      const c = caller(ctx);
      const mounts = await sn.prepare(c, req.key, req.parent, req.labels);
      events.publish(c.namespace, '/snapshot/prepare', SnapshotPrepareSchema, { key: req.key, parent: req.parent, snapshotter: sn.name });
      return { mounts: mountMessages(mounts) };
    },

    async view(req, ctx) {
      const sn = snapshotters.get(req.snapshotter);
      return { mounts: mountMessages(await sn.view(caller(ctx), req.key, req.parent, req.labels)) };
    },

    async mounts(req, ctx) {
      const sn = snapshotters.get(req.snapshotter);
      return { mounts: mountMessages(await sn.mounts(ctx.namespace(), req.key)) };
    },

    async commit(req, ctx) {
      const sn = snapshotters.get(req.snapshotter);
      const c = caller(ctx);
      await sn.commit(c, req.name, req.key, req.labels);
      events.publish(c.namespace, '/snapshot/commit', SnapshotCommitSchema, { key: req.key, name: req.name, snapshotter: sn.name });
      return {};
    },

    async remove(req, ctx) {
      const sn = snapshotters.get(req.snapshotter);
      const c = caller(ctx);
      await sn.remove(c, req.key);
      events.publish(c.namespace, '/snapshot/remove', SnapshotRemoveSchema, { key: req.key, snapshotter: sn.name });
      return {};
    },

    async stat(req, ctx) {
      const sn = snapshotters.get(req.snapshotter);
      return { info: infoMessage(await sn.stat(ctx.namespace(), req.key)) };
    },

    async update(req, ctx) {
      const sn = snapshotters.get(req.snapshotter);
      const info = req.info;
      const updated = await sn.update(ctx.namespace(), info?.name ?? '', info?.labels ?? {}, req.updateMask?.paths ?? []);
      return { info: infoMessage(updated) };
    },

    async *list(req, ctx): AsyncIterable<MessageInitShape<typeof ListSnapshotsResponseSchema>> {
      const sn = snapshotters.get(req.snapshotter);
      const infos = await sn.list(ctx.namespace(), req.filters);
      for (let i = 0; i < infos.length; i += 100) {
        yield { info: infos.slice(i, i + 100).map(infoMessage) };
      }
    },

    async usage(req, ctx) {
      const sn = snapshotters.get(req.snapshotter);
      const u = await sn.usage(ctx.namespace(), req.key);
      return { size: BigInt(u.size), inodes: BigInt(u.inodes) };
    },

    async cleanup(req) {
      // containerd 1.6 answers NotImplemented here (its wrappers hide the backend's
      // Cleanup); we run the backend half of garbage collection instead.
      await snapshotters.collect(snapshotters.get(req.snapshotter).name);
      return {};
    },
  };
}
