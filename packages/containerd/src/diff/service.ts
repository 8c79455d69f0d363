/**
 * containerd.services.diff.v1.Diff (containerd's services/diff with the
 * "walking" differ): Apply unpacks a layer blob into mounts; Diff writes the
 * changes between two mounted trees as a layer blob into the content store.
 */
import { Diff } from '../gen/containerd/services/diff/v1/diff_pb.js';
import type { Descriptor as DescriptorMessage } from '../gen/containerd/types/descriptor_pb.js';
import type { Mount as MountMessage } from '../gen/containerd/types/mount_pb.js';
import type { CallContext, ImplOf } from '../grpc/types.js';
import { leaseOf } from '../leases/resources.js';
import type { Mount } from '../snapshots/types.js';
import { applyLayer, type Descriptor } from './apply.js';
import { compareMounts } from './compare.js';
import type { ContentAccess } from './content.js';

const toDescriptor = (d: DescriptorMessage | undefined): Descriptor => ({
  mediaType: d?.mediaType ?? '',
  digest: d?.digest ?? '',
  size: Number(d?.size ?? 0n),
  annotations: { ...(d?.annotations ?? {}) },
});

const fromDescriptor = (d: Descriptor) => ({ mediaType: d.mediaType, digest: d.digest, size: BigInt(d.size), annotations: d.annotations });

const toMounts = (ms: MountMessage[]): Mount[] => ms.map((m) => ({ type: m.type, source: m.source, target: m.target, options: [...m.options] }));

const options = (ctx: CallContext) => ({ signal: ctx.signal, log: ctx.log });

export function diffService(content: ContentAccess): ImplOf<typeof Diff> {
  return {
    async apply(req, ctx) {
      const applied = await applyLayer(content, ctx.namespace(), toDescriptor(req.diff), toMounts(req.mounts), options(ctx));
      return { applied: fromDescriptor(applied) };
    },

    async diff(req, ctx) {
      const lease = leaseOf(ctx.metadata);
      const desc = await compareMounts(content, ctx.namespace(), toMounts(req.left), toMounts(req.right), {
        mediaType: req.mediaType,
        ref: req.ref,
        labels: req.labels,
        ...(lease === undefined ? {} : { lease }),
        ...options(ctx),
      });
      return { diff: fromDescriptor(desc) };
    },
  };
}
