/**
 * containerd.services.images.v1.Images (services/images/local.go): get,
 * list with filters, create, update with field paths, delete (with `sync`,
 * wait for a garbage collection). Each change publishes
 * /images/create|update|delete in the caller's namespace.
 */
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { invalidArgument } from '@berth/errors';
import { ImageCreateSchema, ImageDeleteSchema, ImageUpdateSchema } from '../gen/containerd/events/image_pb.js';
import type { Image as ImageProto } from '../gen/containerd/services/images/v1/images_pb.js';
import { Images } from '../gen/containerd/services/images/v1/images_pb.js';
import type { Exchange } from '../events/exchange.js';
import type { ImplOf } from '../grpc/types.js';
import type { CollectNow } from '../leases/service.js';
import type { Image, ImageStore } from './store.js';

const toProto = (i: Image) => ({
  name: i.name,
  labels: i.labels,
  target: { mediaType: i.target.mediaType, digest: i.target.digest, size: BigInt(i.target.size), annotations: i.target.annotations },
  createdAt: timestampFromDate(i.createdAt),
  updatedAt: timestampFromDate(i.updatedAt),
});

function fromProto(p: ImageProto | undefined): Omit<Image, 'createdAt' | 'updatedAt'> {
  const t = p?.target;
  const size = t?.size ?? 0n;
  return {
    name: p?.name ?? '',
    labels: { ...(p?.labels ?? {}) },
    target: {
      mediaType: t?.mediaType ?? '',
      digest: t?.digest ?? '',
      // an absurd size is as invalid as none
      size: size > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(size),
      annotations: { ...(t?.annotations ?? {}) },
    },
  };
}

export function imagesService(store: ImageStore, events: Exchange, gc: CollectNow): ImplOf<typeof Images> {
  return {
    async get(req, ctx) {
      return { image: toProto(await store.get(ctx.namespace(), req.name)) };
    },

    async list(req, ctx) {
      return { images: (await store.list(ctx.namespace(), req.filters)).map(toProto) };
    },

    async create(req, ctx) {
      const ns = ctx.namespace();
      ctx.log.debug('create image', { name: req.image?.name, target: req.image?.target?.digest });
      if ((req.image?.name ?? '') === '') throw invalidArgument('Image.Name required');
      const created = await store.create(ns, fromProto(req.image));
      events.publish(ns, '/images/create', ImageCreateSchema, { name: created.name, labels: created.labels });
      return { image: toProto(created) };
    },

    async update(req, ctx) {
      const ns = ctx.namespace();
      if ((req.image?.name ?? '') === '') throw invalidArgument('Image.Name required');
      const updated = await store.update(ns, fromProto(req.image), req.updateMask?.paths ?? []);
      events.publish(ns, '/images/update', ImageUpdateSchema, { name: updated.name, labels: updated.labels });
      return { image: toProto(updated) };
    },

    async delete(req, ctx) {
      const ns = ctx.namespace();
      ctx.log.debug('delete image', { name: req.name });
      await store.delete(ns, req.name);
      events.publish(ns, '/images/delete', ImageDeleteSchema, { name: req.name });
      if (req.sync) await gc.scheduleAndWait();
      return {};
    },
  };
}
