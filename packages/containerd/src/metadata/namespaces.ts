/**
 * Namespaces in the metadata database, with containerd's semantics
 * (metadata/namespaces.go): a namespace exists once created or once anything is
 * stored in it; reading the labels of an unknown namespace gives none; setting
 * labels creates it; it can only be deleted when empty. Names are identifiers.
 */
import { alreadyExists, failedPrecondition, notFound } from '@berth/errors';
import { goQuote, validateIdentifier, validateLabels } from '../identifiers.js';
import type { MetadataDB, ReadTx, StoredRecord, WriteTx } from './db.js';
import { namespaceKey, namespacesPrefix, objectsPrefix } from './keys.js';

export interface NamespaceRecord extends StoredRecord {
  labels: Record<string, string>;
}

const record = (labels: Record<string, string>): NamespaceRecord => ({ schema: 1, labels: { ...labels } });

/** Creates the namespace if it does not exist yet (objects stored in a namespace create it, as in containerd). */
export async function ensureNamespace(tx: WriteTx, name: string): Promise<void> {
  validateIdentifier(name);
  if ((await tx.get(namespaceKey(name))) === undefined) tx.put(namespaceKey(name), record({}));
}

/** What still lives in a namespace, in containerd's words ("images", "blobs", ...). */
async function contents(tx: ReadTx, name: string): Promise<string[]> {
  const prefix = objectsPrefix(name);
  const kinds = new Set<string>();
  const snapshotters = new Set<string>();
  for (const key of await tx.keys(prefix)) {
    const [kind, sub] = key.slice(prefix.length).split('/');
    if (kind === 'images' || kind === 'containers' || kind === 'content') kinds.add(kind);
    else if (kind === 'snapshots') snapshotters.add(sub ?? '');
  }
  // containerd's order (namespaceEmpty): images, blobs, containers, then each snapshotter by name.
  const out: string[] = (['images', 'content', 'containers'] as const).filter((k) => kinds.has(k)).map((k) => (k === 'content' ? 'blobs' : k));
  for (const s of [...snapshotters].sort()) out.push(`snapshots on ${goQuote(s)} snapshotter`);
  return out;
}

export class NamespaceStore {
  constructor(private readonly db: MetadataDB) {}

  async create(name: string, labels: Record<string, string>): Promise<void> {
    validateIdentifier(name);
    validateLabels(labels, 'namespace.Labels');
    await this.db.update(async (tx) => {
      if ((await tx.get(namespaceKey(name))) !== undefined) throw alreadyExists(`namespace ${goQuote(name)}`);
      tx.put(namespaceKey(name), record(labels));
    });
  }

  /** The labels of a namespace; none for a namespace that does not exist (as containerd answers). */
  async labels(name: string): Promise<Record<string, string>> {
    return this.db.view(async (tx) => (await tx.get<NamespaceRecord>(namespaceKey(name)))?.labels ?? {});
  }

  async list(): Promise<Array<{ name: string; labels: Record<string, string> }>> {
    return this.db.view(async (tx) =>
      (await tx.entries<NamespaceRecord>(namespacesPrefix)).map(([key, value]) => ({
        name: key.slice(namespacesPrefix.length),
        labels: { ...value.labels },
      })),
    );
  }

  /**
   * Replaces the labels with what `change` returns (an empty value removes a
   * label), creating the namespace if needed. Unlike containerd, the name is
   * validated here too, so no invalid namespace can come into being.
   */
  async updateLabels(
    name: string,
    change: (current: Record<string, string>) => Record<string, string>,
  ): Promise<Record<string, string>> {
    validateIdentifier(name);
    return this.db.update(async (tx) => {
      const current = (await tx.get<NamespaceRecord>(namespaceKey(name)))?.labels ?? {};
      const next = Object.fromEntries(Object.entries(change({ ...current })).filter(([, v]) => v !== ''));
      validateLabels(next, 'namespace.Labels');
      tx.put(namespaceKey(name), record(next));
      return next;
    });
  }

  async delete(name: string): Promise<void> {
    await this.db.update(async (tx) => {
      if ((await tx.get(namespaceKey(name))) === undefined) throw notFound(`namespace ${goQuote(name)}`);
      const left = await contents(tx, name);
      if (left.length > 0) {
        throw failedPrecondition(`namespace ${goQuote(name)} must be empty, but it still has ${left.join(', ')}`);
      }
      // Leases, ingests and the like go with the namespace, as bolt's DeleteBucket takes them.
      for (const key of await tx.keys(objectsPrefix(name))) tx.del(key);
      tx.del(namespaceKey(name));
    });
  }
}
