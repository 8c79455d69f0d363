/**
 * containerd.services.containers.v1.Containers over the container store; each
 * change publishes /containers/{create,update,delete} like containerd.
 */
import { create } from '@bufbuild/protobuf';
import { AnySchema, timestampFromDate, type Any } from '@bufbuild/protobuf/wkt';
import { ContainerCreateSchema, ContainerDeleteSchema, ContainerUpdateSchema } from '../gen/containerd/events/container_pb.js';
import { Containers, type Container } from '../gen/containerd/services/containers/v1/containers_pb.js';
import type { Exchange } from '../events/exchange.js';
import type { ImplOf } from '../grpc/types.js';
import type { AnyValue, ContainerInfo, ContainerStore } from './store.js';

const toAny = (a: AnyValue): Any => create(AnySchema, { typeUrl: a.typeUrl, value: a.value });
const fromAny = (a: Any | undefined): AnyValue | undefined => (a ? { typeUrl: a.typeUrl, value: a.value } : undefined);

function toProto(c: ContainerInfo) {
  return {
    id: c.id,
    labels: c.labels,
    image: c.image,
    runtime: { name: c.runtime.name, ...(c.runtime.options ? { options: toAny(c.runtime.options) } : {}) },
    ...(c.spec ? { spec: toAny(c.spec) } : {}),
    snapshotter: c.snapshotter,
    snapshotKey: c.snapshotKey,
    createdAt: timestampFromDate(c.createdAt),
    updatedAt: timestampFromDate(c.updatedAt),
    extensions: Object.fromEntries(Object.entries(c.extensions).map(([k, v]) => [k, toAny(v)])),
    sandbox: c.sandbox,
  };
}

function fromProto(c: Container | undefined): Omit<ContainerInfo, 'createdAt' | 'updatedAt'> {
  const options = fromAny(c?.runtime?.options);
  const spec = fromAny(c?.spec);
  return {
    id: c?.id ?? '',
    labels: { ...(c?.labels ?? {}) },
    image: c?.image ?? '',
    runtime: { name: c?.runtime?.name ?? '', ...(options ? { options } : {}) },
    ...(spec ? { spec } : {}),
    snapshotter: c?.snapshotter ?? '',
    snapshotKey: c?.snapshotKey ?? '',
    extensions: Object.fromEntries(Object.entries(c?.extensions ?? {}).map(([k, v]) => [k, { typeUrl: v.typeUrl, value: v.value }])),
    sandbox: c?.sandbox ?? '',
  };
}

export function containersService(store: ContainerStore, events: Exchange): ImplOf<typeof Containers> {
  return {
    async get(req, ctx) {
      return { container: toProto(await store.get(ctx.namespace(), req.id)) };
    },

    async list(req, ctx) {
      return { containers: (await store.list(ctx.namespace(), req.filters)).map(toProto) };
    },

    async *listStream(req, ctx) {
      for (const c of await store.list(ctx.namespace(), req.filters)) yield { container: toProto(c) };
    },

    async create(req, ctx) {
      const ns = ctx.namespace();
      const c = await store.create(ns, fromProto(req.container));
      events.publish(ns, '/containers/create', ContainerCreateSchema, {
        id: c.id,
        image: c.image,
        runtime: { name: c.runtime.name, ...(c.runtime.options ? { options: toAny(c.runtime.options) } : {}) },
      });
      return { container: toProto(c) };
    },

    async update(req, ctx) {
      const ns = ctx.namespace();
      const c = await store.update(ns, fromProto(req.container), req.updateMask?.paths ?? []);
      events.publish(ns, '/containers/update', ContainerUpdateSchema, { id: c.id, image: c.image, labels: c.labels, snapshotKey: c.snapshotKey });
      return { container: toProto(c) };
    },

    async delete(req, ctx) {
      const ns = ctx.namespace();
      await store.delete(ns, req.id);
      events.publish(ns, '/containers/delete', ContainerDeleteSchema, { id: req.id });
      return {};
    },
  };
}
