/**
 * Image records in the metadata database (metadata/images.go):
 *
 *   v1/ns/<ns>/images/<name>   {schema, labels, target, createdAt, updatedAt}
 *
 * A name is any non-empty string (a reference such as
 * docker.io/library/busybox:latest); the target is a descriptor whose
 * digest, size and media type must be valid. Update takes containerd's
 * field paths: labels, labels.<key>, target, annotations, annotations.<key>.
 */
import { alreadyExists, invalidArgument, notFound } from '@berth/errors';
import { digestProblem } from '../content/digest.js';
import type { FieldLookup } from '../filters/filter.js';
import { parseFilters } from '../filters/parse.js';
import { goQuote, validateLabels } from '../identifiers.js';
import type { MutationListener } from '../leases/store.js';
import type { MetadataDB, StoredRecord } from '../metadata/db.js';
import { objectKey, objectsPrefix } from '../metadata/keys.js';
import { ensureNamespace } from '../metadata/namespaces.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
}

export interface Image {
  name: string;
  labels: Record<string, string>;
  target: Descriptor;
  createdAt: Date;
  updatedAt: Date;
}

export interface ImageRecord extends StoredRecord {
  labels: Record<string, string>;
  target: Descriptor;
  createdAt: string;
  updatedAt: string;
}

export const imagesKind = 'images';
export const imagesPrefix = (ns: string) => `${objectsPrefix(ns)}${imagesKind}/`;
export const imageKey = (ns: string, name: string) => objectKey(ns, imagesKind, name);

const fromRecord = (name: string, r: ImageRecord): Image => ({
  name,
  labels: { ...r.labels },
  target: { ...r.target, annotations: { ...r.target.annotations } },
  createdAt: new Date(r.createdAt),
  updatedAt: new Date(r.updatedAt),
});

/** Empty values are not stored (boltutil.WriteLabels / WriteAnnotations). */
const compact = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== ''));

const toRecord = (image: Image): ImageRecord => ({
  schema: 1,
  labels: compact(image.labels),
  target: { ...image.target, annotations: compact(image.target.annotations) },
  createdAt: image.createdAt.toISOString(),
  updatedAt: image.updatedAt.toISOString(),
});

function lookupMap(m: Record<string, string>, rest: readonly string[]): string | undefined {
  const key = rest.join('.');
  return Object.hasOwn(m, key) ? m[key] : undefined;
}

/** containerd's adaptImage. */
function imageLookup(i: Image): FieldLookup {
  return ([head, ...rest]) => {
    switch (head) {
      case 'name':
        return i.name || undefined;
      case 'target':
        if (rest[0] === 'digest') return i.target.digest || undefined;
        if (rest[0] === 'mediatype') return i.target.mediaType || undefined;
        return undefined;
      case 'labels':
        return lookupMap(i.labels, rest);
      case 'annotations':
        return lookupMap(i.target.annotations, rest);
      default:
        return undefined;
    }
  };
}

export function validateImage(image: Image): void {
  if (image.name === '') throw invalidArgument('image name must not be empty');
  validateLabels(image.labels, 'image.Labels');
  const t = image.target;
  const problem = digestProblem(t.digest);
  if (problem !== undefined) throw invalidArgument(`Target.Digest ${goQuote(t.digest)} invalid: ${problem}`);
  if (t.size <= 0) throw invalidArgument('Target.Size must be greater than zero');
  if (t.mediaType === '') throw invalidArgument('Target.MediaType must be set');
}

export class ImageStore {
  constructor(
    private readonly db: MetadataDB,
    private readonly changed: MutationListener = () => {},
  ) {}

  async get(ns: string, name: string): Promise<Image> {
    const r = await this.db.view((tx) => tx.get<ImageRecord>(imageKey(ns, name)));
    if (r === undefined) throw notFound(`image ${goQuote(name)}`);
    return fromRecord(name, r);
  }

  async list(ns: string, filters: readonly string[] = []): Promise<Image[]> {
    const set = parseFilters(filters);
    const prefix = imagesPrefix(ns);
    const all = await this.db.view(async (tx) =>
      (await tx.entries<ImageRecord>(prefix)).map(([key, r]) => fromRecord(key.slice(prefix.length), r)),
    );
    return all.filter((i) => set.match(imageLookup(i)));
  }

  async create(ns: string, image: Omit<Image, 'createdAt' | 'updatedAt'>): Promise<Image> {
    const now = new Date();
    const created: Image = { ...image, createdAt: now, updatedAt: now };
    await this.db.update(async (tx) => {
      validateImage(created);
      await ensureNamespace(tx, ns);
      if ((await tx.get(imageKey(ns, image.name))) !== undefined) throw alreadyExists(`image ${goQuote(image.name)}`);
      tx.put(imageKey(ns, image.name), toRecord(created));
    });
    this.changed(false);
    return fromRecord(image.name, toRecord(created));
  }

  async update(ns: string, image: Omit<Image, 'createdAt' | 'updatedAt'>, paths: readonly string[]): Promise<Image> {
    if (image.name === '') throw invalidArgument('image name is required for update');
    const result = await this.db.update(async (tx) => {
      const r = await tx.get<ImageRecord>(imageKey(ns, image.name));
      if (r === undefined) throw notFound(`image ${goQuote(image.name)}`);
      const current = fromRecord(image.name, r);
      let next: Image;
      if (paths.length === 0) {
        next = { ...image, createdAt: current.createdAt, updatedAt: current.updatedAt };
      } else {
        next = current;
        for (const p of paths) {
          if (p.startsWith('labels.')) {
            const key = p.slice('labels.'.length);
            next.labels[key] = image.labels[key] ?? '';
          } else if (p.startsWith('annotations.')) {
            const key = p.slice('annotations.'.length);
            next.target.annotations[key] = image.target.annotations[key] ?? '';
          } else if (p === 'labels') {
            next.labels = { ...image.labels };
          } else if (p === 'target') {
            // The target is replaced as a whole: digest, size and media type go together.
            next.target = { ...image.target, annotations: { ...image.target.annotations } };
          } else if (p === 'annotations') {
            next.target.annotations = { ...image.target.annotations };
          } else {
            throw invalidArgument(`cannot update ${goQuote(p)} field on image ${goQuote(image.name)}`);
          }
        }
      }
      validateImage(next);
      next.updatedAt = new Date();
      const record = toRecord(next);
      tx.put(imageKey(ns, image.name), record);
      return fromRecord(image.name, record);
    });
    this.changed(false);
    return result;
  }

  async delete(ns: string, name: string): Promise<void> {
    await this.db.update(async (tx) => {
      if ((await tx.get(imageKey(ns, name))) === undefined) throw notFound(`image ${goQuote(name)}`);
      tx.del(imageKey(ns, name));
    });
    this.changed(true);
  }
}
