/**
 * Leases in the metadata database (metadata/leases.go): a lease is an id,
 * a creation time and labels, plus the resources it holds. While a lease
 * lives (and its "containerd.io/gc.expire" time has not passed) the
 * collector keeps everything it holds. Deleting one is a deletion for the
 * collector's scheduler.
 */
import { alreadyExists, invalidArgument, notFound } from '@berth/errors';
import { parseFilters } from '../filters/parse.js';
import type { FieldLookup } from '../filters/filter.js';
import { goQuote } from '../identifiers.js';
import type { MetadataDB, StoredRecord } from '../metadata/db.js';
import { ensureNamespace } from '../metadata/namespaces.js';
import { leaseIdOfKey, leaseKey, leaseResourceKey, leaseResourcesPrefix, leasesPrefix } from './keys.js';
import { listLeaseResources, parseLeaseResource, type LeaseResource } from './resources.js';

export interface Lease {
  id: string;
  createdAt: Date;
  labels: Record<string, string>;
}

export interface LeaseRecord extends StoredRecord {
  createdAt: string;
  labels: Record<string, string>;
}

/** Told after every change; `deleted` when something was removed (the collector may have work). */
export type MutationListener = (deleted: boolean) => void;

const fromRecord = (id: string, r: LeaseRecord): Lease => ({ id, createdAt: new Date(r.createdAt), labels: { ...r.labels } });

/** containerd's adaptLease: id, labels.<key>. */
function leaseLookup(l: Lease): FieldLookup {
  return ([head, ...rest]) => {
    if (head === 'id') return l.id === '' ? undefined : l.id;
    if (head === 'labels') {
      const key = rest.join('.');
      return Object.hasOwn(l.labels, key) ? l.labels[key] : undefined;
    }
    return undefined;
  };
}

export class LeaseStore {
  constructor(
    private readonly db: MetadataDB,
    private readonly changed: MutationListener = () => {},
  ) {}

  async create(ns: string, id: string, labels: Record<string, string>): Promise<Lease> {
    if (id === '') throw invalidArgument('lease id must be provided');
    // empty values are not stored (boltutil.WriteLabels)
    const kept = Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
    const record: LeaseRecord = { schema: 1, createdAt: new Date().toISOString(), labels: kept };
    await this.db.update(async (tx) => {
      await ensureNamespace(tx, ns);
      if ((await tx.get(leaseKey(ns, id))) !== undefined) throw alreadyExists(`lease ${goQuote(id)}`);
      tx.put(leaseKey(ns, id), record);
    });
    this.changed(false);
    return fromRecord(id, record);
  }

  async delete(ns: string, id: string): Promise<void> {
    await this.db.update(async (tx) => {
      if ((await tx.get(leaseKey(ns, id))) === undefined) throw notFound(`lease ${goQuote(id)}`);
      tx.del(leaseKey(ns, id));
      for (const key of await tx.keys(leaseResourcesPrefix(ns, id))) tx.del(key);
    });
    this.changed(true);
  }

  async list(ns: string, filters: readonly string[] = []): Promise<Lease[]> {
    const set = parseFilters(filters);
    const all = await this.db.view(async (tx) =>
      (await tx.entries<LeaseRecord>(leasesPrefix(ns))).map(([key, r]) => fromRecord(leaseIdOfKey(ns, key), r)),
    );
    return all.filter((l) => set.match(leaseLookup(l)));
  }

  async addResource(ns: string, id: string, resource: LeaseResource): Promise<void> {
    await this.db.update(async (tx) => {
      if ((await tx.get(leaseKey(ns, id))) === undefined) throw notFound(`lease ${goQuote(id)}`);
      const r = parseLeaseResource(resource);
      tx.put(leaseResourceKey(ns, id, r.type, r.id), { schema: 1 });
    });
    this.changed(false);
  }

  async deleteResource(ns: string, id: string, resource: LeaseResource): Promise<void> {
    await this.db.update(async (tx) => {
      if ((await tx.get(leaseKey(ns, id))) === undefined) throw notFound(`lease ${goQuote(id)}`);
      const r = parseLeaseResource(resource);
      tx.del(leaseResourceKey(ns, id, r.type, r.id));
    });
    this.changed(true);
  }

  async listResources(ns: string, id: string): Promise<LeaseResource[]> {
    return this.db.view(async (tx) => {
      if ((await tx.get(leaseKey(ns, id))) === undefined) throw notFound(`lease ${goQuote(id)}`);
      return listLeaseResources(tx, ns, id);
    });
  }
}
