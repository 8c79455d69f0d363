/**
 * Where leases live in the metadata database (see metadata/keys.ts):
 *
 *   v1/ns/<ns>/leases/<id>                          {schema, createdAt, labels}
 *   v1/ns/<ns>/lease-resources/<id>/<type>/<rid>    {schema}
 *
 * Lease ids are free-form in containerd (the random ones hold '_' and '='),
 * and resource types hold '/' ("snapshots/overlayfs"), so both are
 * URI-encoded into one key segment; the resource id is the rest of the key.
 */
import { objectKey, objectsPrefix } from '../metadata/keys.js';

export const leasesKind = 'leases';
export const leaseResourcesKind = 'lease-resources';

const enc = encodeURIComponent;

export const leasesPrefix = (ns: string) => `${objectsPrefix(ns)}${leasesKind}/`;
export const leaseKey = (ns: string, id: string) => objectKey(ns, leasesKind, enc(id));
export const leaseIdOfKey = (ns: string, key: string) => decodeURIComponent(key.slice(leasesPrefix(ns).length));

export const leaseResourcesPrefix = (ns: string, id: string) => `${objectsPrefix(ns)}${leaseResourcesKind}/${enc(id)}/`;
export const leaseResourceKey = (ns: string, id: string, type: string, rid: string) =>
  `${leaseResourcesPrefix(ns, id)}${enc(type)}/${rid}`;

/** The {type, id} of a key under leaseResourcesPrefix(ns, id). */
export function resourceOfKey(prefix: string, key: string): { type: string; id: string } {
  const rest = key.slice(prefix.length);
  const slash = rest.indexOf('/');
  return { type: decodeURIComponent(rest.slice(0, slash)), id: rest.slice(slash + 1) };
}
