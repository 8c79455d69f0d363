/**
 * Where content lives in the metadata database (see metadata/keys.ts). A blob
 * is visible in a namespace only while that namespace has a record for it;
 * the bytes on disk are shared.
 *
 *   v1/ns/<ns>/content/<digest>   {schema, size, createdAt, updatedAt, labels}
 *   v1/ns/<ns>/ingests/<ref>      {schema, bref, expected?, expireAt?}
 *
 * `bref` is the backend ref ("<ns>/1/<ref>", containerd's createKey), which
 * names the ingest directory on disk; ingests do not keep a namespace from
 * being deleted (blobs do), as in containerd.
 */
import { objectKey, objectsPrefix } from '../metadata/keys.js';
import type { StoredRecord } from '../metadata/db.js';

export const blobKind = 'content';
export const ingestKind = 'ingests';

export const blobsPrefix = (ns: string) => `${objectsPrefix(ns)}${blobKind}/`;
export const blobKey = (ns: string, digest: string) => objectKey(ns, blobKind, digest);
export const ingestsPrefix = (ns: string) => `${objectsPrefix(ns)}${ingestKind}/`;
export const ingestKey = (ns: string, ref: string) => objectKey(ns, ingestKind, ref);

export interface BlobRecord extends StoredRecord {
  size: number;
  createdAt: string;
  updatedAt: string;
  labels: Record<string, string>;
}

export interface IngestRecord extends StoredRecord {
  bref: string;
  /** The digest of a blob already on disk that this ingest will link into the namespace. */
  expected?: string;
  /** ISO time after which an ingest held by no lease is collected. */
  expireAt?: string;
}

/** containerd's metadata createKey(1, ns, ref): the first sequence of a fresh ingest bucket is always 1. */
export const backendRef = (ns: string, ref: string) => `${ns}/1/${ref}`;
