/**
 * Container records in the metadata database (containerd's metadata/containers.go):
 *
 *   v1/ns/<ns>/containers/<id>  {schema, labels, image, runtime, spec, snapshotter,
 *                                snapshotKey, extensions, sandbox, createdAt, updatedAt}
 *
 * `Any` values (runtime options, the OCI spec, extensions) are kept as their type
 * URL and bytes, never decoded here. Update takes containerd's field paths:
 * labels, labels.<key>, spec, extensions, extensions.<key>, image, snapshotkey;
 * the runtime and the snapshotter cannot change.
 */
import { alreadyExists, invalidArgument, notFound } from '@berth/errors';
import type { FieldLookup } from '../filters/filter.js';
import { parseFilters } from '../filters/parse.js';
import { goQuote, validateIdentifier, validateLabels } from '../identifiers.js';
import type { MetadataDB, StoredRecord } from '../metadata/db.js';
import { objectKey, objectsPrefix } from '../metadata/keys.js';
import { ensureNamespace } from '../metadata/namespaces.js';

export interface AnyValue {
  typeUrl: string;
  value: Uint8Array;
}

export interface ContainerInfo {
  id: string;
  labels: Record<string, string>;
  image: string;
  runtime: { name: string; options?: AnyValue };
  spec?: AnyValue;
  snapshotter: string;
  snapshotKey: string;
  extensions: Record<string, AnyValue>;
  sandbox: string;
  createdAt: Date;
  updatedAt: Date;
}

interface StoredAny {
  typeUrl: string;
  value: string; // base64
}

interface ContainerRecord extends StoredRecord {
  labels: Record<string, string>;
  image: string;
  runtime: { name: string; options?: StoredAny };
  spec?: StoredAny;
  snapshotter: string;
  snapshotKey: string;
  extensions: Record<string, StoredAny>;
  sandbox: string;
  createdAt: string;
  updatedAt: string;
}

export const containersKind = 'containers';
export const containersPrefix = (ns: string) => `${objectsPrefix(ns)}${containersKind}/`;
const containerKey = (ns: string, id: string) => objectKey(ns, containersKind, id);

const storeAny = (a: AnyValue): StoredAny => ({ typeUrl: a.typeUrl, value: Buffer.from(a.value).toString('base64') });
const loadAny = (a: StoredAny): AnyValue => ({ typeUrl: a.typeUrl, value: new Uint8Array(Buffer.from(a.value, 'base64')) });
const mapValues = <A, B>(m: Record<string, A>, f: (a: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, f(v)]));

function toRecord(c: ContainerInfo): ContainerRecord {
  return {
    schema: 1,
    labels: Object.fromEntries(Object.entries(c.labels).filter(([, v]) => v !== '')),
    image: c.image,
    runtime: { name: c.runtime.name, ...(c.runtime.options ? { options: storeAny(c.runtime.options) } : {}) },
    ...(c.spec ? { spec: storeAny(c.spec) } : {}),
    snapshotter: c.snapshotter,
    snapshotKey: c.snapshotKey,
    extensions: mapValues(c.extensions, storeAny),
    sandbox: c.sandbox,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

function fromRecord(id: string, r: ContainerRecord): ContainerInfo {
  return {
    id,
    labels: { ...r.labels },
    image: r.image,
    runtime: { name: r.runtime.name, ...(r.runtime.options ? { options: loadAny(r.runtime.options) } : {}) },
    ...(r.spec ? { spec: loadAny(r.spec) } : {}),
    snapshotter: r.snapshotter,
    snapshotKey: r.snapshotKey,
    extensions: mapValues(r.extensions, loadAny),
    sandbox: r.sandbox ?? '',
    createdAt: new Date(r.createdAt),
    updatedAt: new Date(r.updatedAt),
  };
}

/** containerd's adaptContainer: the fields filters can name. */
function containerLookup(c: ContainerInfo): FieldLookup {
  return ([head, ...rest]) => {
    switch (head) {
      case 'id':
        return c.id || undefined;
      case 'image':
        return c.image || undefined;
      case 'runtime':
        return rest[0] === 'name' ? c.runtime.name || undefined : undefined;
      case 'snapshotter':
        return c.snapshotter || undefined;
      case 'labels': {
        const key = rest.join('.');
        return Object.hasOwn(c.labels, key) ? c.labels[key] : undefined;
      }
      default:
        return undefined;
    }
  };
}

/** containerd's validateContainer, with its messages. */
export function validateContainer(c: Omit<ContainerInfo, 'createdAt' | 'updatedAt'>): void {
  try {
    validateIdentifier(c.id);
  } catch (err) {
    throw invalidArgument(`container.ID validation error: ${(err as Error).message}`, err);
  }
  validateLabels(c.labels, 'containers.Labels');
  for (const k of Object.keys(c.extensions)) if (k === '') throw invalidArgument('extension keys must not be zero-length');
  if (c.runtime.name === '') throw invalidArgument('must specify a runtime name');
  if (!c.spec) throw invalidArgument('container spec must not be nil');
  if (c.snapshotKey !== '' && c.snapshotter === '') throw invalidArgument('container.Snapshotter must be set if container.SnapshotKey is set');
}

export class ContainerStore {
  /** `changed(true)` after a delete lets the garbage collector free the container's snapshot. */
  constructor(
    private readonly db: MetadataDB,
    private readonly changed: (deleted: boolean) => void = () => {},
  ) {}

  async get(ns: string, id: string): Promise<ContainerInfo> {
    const r = await this.db.view((tx) => tx.get<ContainerRecord>(containerKey(ns, id)));
    if (r === undefined) throw notFound(`container ${goQuote(id)} in namespace ${goQuote(ns)}`);
    return fromRecord(id, r);
  }

  async list(ns: string, filters: readonly string[] = []): Promise<ContainerInfo[]> {
    const set = parseFilters(filters);
    const prefix = containersPrefix(ns);
    const all = await this.db.view(async (tx) =>
      (await tx.entries<ContainerRecord>(prefix)).map(([key, r]) => fromRecord(key.slice(prefix.length), r)),
    );
    return all.filter((c) => set.match(containerLookup(c)));
  }

  async create(ns: string, c: Omit<ContainerInfo, 'createdAt' | 'updatedAt'>): Promise<ContainerInfo> {
    validateContainer(c);
    const now = new Date();
    const created: ContainerInfo = { ...c, createdAt: now, updatedAt: now };
    await this.db.update(async (tx) => {
      await ensureNamespace(tx, ns);
      if ((await tx.get(containerKey(ns, c.id))) !== undefined) throw alreadyExists(`container ${goQuote(c.id)}`);
      tx.put(containerKey(ns, c.id), toRecord(created));
    });
    return fromRecord(c.id, toRecord(created));
  }

  async update(ns: string, c: Omit<ContainerInfo, 'createdAt' | 'updatedAt'>, paths: readonly string[]): Promise<ContainerInfo> {
    if (c.id === '') throw invalidArgument('must specify a container id');
    return this.db.update(async (tx) => {
      const r = await tx.get<ContainerRecord>(containerKey(ns, c.id));
      if (r === undefined) throw notFound(`container ${goQuote(c.id)}`);
      const current = fromRecord(c.id, r);
      let next: ContainerInfo;
      if (paths.length === 0) {
        // Without a mask everything mutable is replaced; runtime and snapshotter may not change.
        if (c.runtime.name !== current.runtime.name) throw invalidArgument('container.Runtime.Name field is immutable');
        if (c.snapshotter !== current.snapshotter) throw invalidArgument('container.Snapshotter field is immutable');
        next = { ...c, runtime: current.runtime, snapshotter: current.snapshotter, createdAt: current.createdAt, updatedAt: current.updatedAt };
      } else {
        next = current;
        for (const p of paths) {
          if (p.startsWith('labels.')) {
            const key = p.slice('labels.'.length);
            next.labels[key] = c.labels[key] ?? '';
          } else if (p.startsWith('extensions.')) {
            const key = p.slice('extensions.'.length);
            const v = c.extensions[key];
            if (v) next.extensions[key] = v;
            else delete next.extensions[key];
          } else if (p === 'labels') next.labels = { ...c.labels };
          else if (p === 'spec') next.spec = c.spec;
          else if (p === 'extensions') next.extensions = { ...c.extensions };
          else if (p === 'image') next.image = c.image;
          else if (p === 'snapshotkey') next.snapshotKey = c.snapshotKey;
          else throw invalidArgument(`cannot update ${goQuote(p)} field on ${goQuote(c.id)}`);
        }
      }
      validateContainer(next);
      next.updatedAt = new Date();
      tx.put(containerKey(ns, c.id), toRecord(next));
      return fromRecord(c.id, toRecord(next));
    });
  }

  async delete(ns: string, id: string): Promise<void> {
    await this.db.update(async (tx) => {
      if ((await tx.get(containerKey(ns, id))) === undefined) throw notFound(`container ${goQuote(id)}`);
      tx.del(containerKey(ns, id));
    });
    this.changed(true);
  }
}
