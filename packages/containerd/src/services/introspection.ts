/**
 * containerd.services.introspection.v1.Introspection: the plugins this daemon
 * serves (ctr plugins ls, with containerd's filters on type and id) and the
 * server's identity (UUID, pid, pid namespace).
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import {
  Introspection,
  PluginSchema,
  type Plugin,
} from '../gen/containerd/services/introspection/v1/introspection_pb.js';
import { messageLookup } from '../filters/fieldpath.js';
import { parseFilters } from '../filters/parse.js';
import type { ImplOf } from '../grpc/types.js';

export interface ServerIdentity {
  uuid: string;
  pid: number;
  /** Inode of /proc/self/ns/pid, 0 when unknown. */
  pidns: number;
}

export function introspectionService(plugins: () => Plugin[], identity: ServerIdentity): ImplOf<typeof Introspection> {
  return {
    plugins: (req) => {
      const filters = parseFilters(req.filters);
      return { plugins: plugins().filter((p) => filters.match(messageLookup(PluginSchema, p))) };
    },
    server: () => ({ uuid: identity.uuid, pid: BigInt(identity.pid), pidns: BigInt(identity.pidns) }),
  };
}

export const plugin = (init: MessageInitShape<typeof PluginSchema>): Plugin => create(PluginSchema, init);
