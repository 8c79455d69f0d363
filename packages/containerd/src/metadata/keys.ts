/** Key layout of the metadata database (see db.ts). */
export const schemaKey = 'meta/schema';

export const namespacesPrefix = 'v1/namespaces/';
export const namespaceKey = (ns: string) => `${namespacesPrefix}${ns}`;

/** Everything that lives inside a namespace: images, containers, content, leases, snapshots. */
export const objectsPrefix = (ns: string) => `v1/ns/${ns}/`;
export const objectKey = (ns: string, kind: string, id: string) => `${objectsPrefix(ns)}${kind}/${id}`;
