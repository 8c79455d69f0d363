/**
 * containerd.services.namespaces.v1.Namespaces over the metadata store, with
 * containerd's behaviour (services/namespaces/local.go): Update with a mask
 * sets or clears `labels.<key>`, without one replaces all labels; each change
 * publishes /namespaces/{create,update,delete}.
 */
import { invalidArgument } from '@berth/errors';
import { NamespaceCreateSchema, NamespaceDeleteSchema, NamespaceUpdateSchema } from '../gen/containerd/events/namespace_pb.js';
import { Namespaces } from '../gen/containerd/services/namespaces/v1/namespace_pb.js';
import type { Exchange } from '../events/exchange.js';
import type { ImplOf } from '../grpc/types.js';
import type { NamespaceStore } from '../metadata/namespaces.js';
import { goQuote } from '../identifiers.js';

export function namespacesService(store: NamespaceStore, events: Exchange): ImplOf<typeof Namespaces> {
  return {
    async get(req) {
      return { namespace: { name: req.name, labels: await store.labels(req.name) } };
    },

    async list() {
      return { namespaces: await store.list() };
    },

    async create(req, ctx) {
      // The event goes out in the caller's namespace; check it before changing anything.
      const callerNs = ctx.namespace();
      const name = req.namespace?.name ?? '';
      const labels = req.namespace?.labels ?? {};
      await store.create(name, labels);
      events.publish(callerNs, '/namespaces/create', NamespaceCreateSchema, { name, labels });
      return { namespace: { name, labels } };
    },

    async update(req, ctx) {
      const callerNs = ctx.namespace();
      const name = req.namespace?.name ?? '';
      const wanted = req.namespace?.labels ?? {};
      const paths = req.updateMask?.paths ?? [];
      for (const path of paths) {
        if (!path.startsWith('labels.')) throw invalidArgument(`cannot update ${goQuote(path)} field`);
      }
      const labels = await store.updateLabels(name, (current) => {
        if (paths.length === 0) return { ...wanted };
        for (const path of paths) {
          const key = path.slice('labels.'.length);
          current[key] = wanted[key] ?? '';
        }
        return current;
      });
      events.publish(callerNs, '/namespaces/update', NamespaceUpdateSchema, { name, labels: wanted });
      return { namespace: { name, labels } };
    },

    async delete(req) {
      await store.delete(req.name);
      // As containerd does, the delete event is published in the deleted namespace.
      events.publish(req.name, '/namespaces/delete', NamespaceDeleteSchema, { name: req.name });
      return {};
    },
  };
}
