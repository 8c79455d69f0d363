/**
 * Every namespace that has a record or holds objects. Objects normally come
 * with their namespace record (ensureNamespace), but the collector must not
 * miss a namespace whose record went missing: its objects would look
 * unreferenced and their bytes would be swept.
 */
import type { ReadTx } from '../metadata/db.js';
import { namespacesPrefix } from '../metadata/keys.js';

const objectsRoot = 'v1/ns/';

export async function allNamespaces(tx: ReadTx): Promise<string[]> {
  const names = new Set<string>();
  for (const key of await tx.keys(namespacesPrefix)) names.add(key.slice(namespacesPrefix.length));
  for (const key of await tx.keys(objectsRoot)) {
    const rest = key.slice(objectsRoot.length);
    const slash = rest.indexOf('/');
    if (slash > 0) names.add(rest.slice(0, slash));
  }
  return [...names].sort();
}
