/**
 * containerd.services.leases.v1.Leases (services/leases): create (a random
 * id when none is given, as containerd makes one), delete (with `sync`, wait
 * for a garbage collection), list with filters, and the resources of a lease.
 */
import crypto from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Leases } from '../gen/containerd/services/leases/v1/leases_pb.js';
import { leaseExpiry } from '../gc/labels.js';
import type { ImplOf } from '../grpc/types.js';
import type { Lease, LeaseStore } from './store.js';

export interface CollectNow {
  /** Runs a collection (or joins the next one) and resolves when it is done. */
  scheduleAndWait(): Promise<unknown>;
}

export interface LeaseGc extends CollectNow {
  /** A lease expires then: a collection should run at that time. */
  expiresAt(at: Date): void;
}

/** leases.WithRandomID: "<nanoseconds of the second>-<4 base64url chars>". */
export function randomLeaseId(now = new Date()): string {
  const nanos = now.getMilliseconds() * 1_000_000 + crypto.randomInt(1_000_000);
  return `${nanos}-${crypto.randomBytes(3).toString('base64url')}`;
}

/** The resource field is not nullable in containerd's API: a missing one is the empty resource. */
const resourceOf = (r: { id: string; type: string } | undefined) => ({ id: r?.id ?? '', type: r?.type ?? '' });

const toProto = (l: Lease) => ({ id: l.id, labels: l.labels, createdAt: timestampFromDate(l.createdAt) });

export function leasesService(store: LeaseStore, gc: LeaseGc): ImplOf<typeof Leases> {
  return {
    async create(req, ctx) {
      const lease = await store.create(ctx.namespace(), req.id === '' ? randomLeaseId() : req.id, req.labels);
      const expiry = leaseExpiry(lease.labels);
      if (expiry !== undefined) gc.expiresAt(expiry);
      return { lease: toProto(lease) };
    },

    async delete(req, ctx) {
      await store.delete(ctx.namespace(), req.id);
      if (req.sync) await gc.scheduleAndWait();
      return {};
    },

    async list(req, ctx) {
      return { leases: (await store.list(ctx.namespace(), req.filters)).map(toProto) };
    },

    async addResource(req, ctx) {
      await store.addResource(ctx.namespace(), req.id, resourceOf(req.resource));
      return {};
    },

    async deleteResource(req, ctx) {
      await store.deleteResource(ctx.namespace(), req.id, resourceOf(req.resource));
      return {};
    },

    async listResources(req, ctx) {
      return { resources: await store.listResources(ctx.namespace(), req.id) };
    },
  };
}
