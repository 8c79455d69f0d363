/**
 * Snapshot fields for containerd's list filters (snapshots/storage adaptSnapshot):
 * kind (active|view|committed), name, parent (present even when empty),
 * labels.<key> (absent when the snapshot has no labels).
 */
import type { FieldLookup } from '../filters/filter.js';
import type { Info } from './types.js';

export function snapshotLookup(info: Info): FieldLookup {
  return (fieldpath) => {
    switch (fieldpath[0]) {
      case 'kind':
        return info.kind;
      case 'name':
        return info.name;
      case 'parent':
        return info.parent;
      case 'labels': {
        const key = fieldpath.slice(1).join('.');
        return Object.hasOwn(info.labels, key) ? info.labels[key] : undefined;
      }
      default:
        return undefined;
    }
  };
}
