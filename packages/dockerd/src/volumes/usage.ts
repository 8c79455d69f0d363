/** Which containers (in any state) use a volume: the records' resolved mounts. */
import type { Engine } from '../containers/engine.js';

export function volumeUsers(e: Engine, name: string): string[] {
  return e.store.list().filter((c) => (c.record.mountPoints ?? []).some((m) => m.Type === 'volume' && m.Name === name)).map((c) => c.id);
}

export function usedVolumes(e: Engine): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of e.store.list()) {
    for (const m of c.record.mountPoints ?? []) if (m.Type === 'volume') counts.set(m.Name, (counts.get(m.Name) ?? 0) + 1);
  }
  return counts;
}
