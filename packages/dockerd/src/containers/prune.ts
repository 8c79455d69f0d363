/**
 * POST /containers/prune: removes every container that is not running (nor
 * paused, restarting or being removed), narrowed by `until` (created before)
 * and `label` / `label!`; answers moby's ContainersDeleted (null when none)
 * and SpaceReclaimed (the removed containers' writable layers).
 */
import type { Filters } from '../images/filters.js';
import { untilTime } from '../images/prune.js';
import type { Engine } from './engine.js';
import { isRunning } from './model.js';
import { removeContainer } from './remove.js';
import { writableSize } from './size.js';

export const containerPruneFilterKeys = new Set(['until', 'label', 'label!']);

export interface ContainerPruneReport {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

function labelMatch(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  return eq < 0 ? want in labels : labels[want.slice(0, eq)] === want.slice(eq + 1);
}

export async function pruneContainers(e: Engine, f: Filters): Promise<ContainerPruneReport> {
  const until = f.get('until')?.map((u) => untilTime(u));
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const c of e.store.list()) {
    const rec = c.record;
    if (isRunning(rec.state) || rec.state.Status === 'removing') continue;
    const created = Date.parse(rec.created);
    if (until?.some((u) => created >= u)) continue;
    if (!(f.get('label') ?? []).every((l) => labelMatch(rec.config.Labels, l))) continue;
    if ((f.get('label!') ?? []).some((l) => labelMatch(rec.config.Labels, l))) continue;
    const size = await writableSize(e, c.id);
    try {
      await removeContainer(e, c, { force: false, removeVolumes: false });
    } catch (err) {
      // started or removed meanwhile: moby logs and goes on
      e.log.warn('prune: could not remove container', { id: c.id, error: (err as Error).message });
      continue;
    }
    deleted.push(c.id);
    reclaimed += size;
  }
  e.events.publish('container', 'prune', '', { reclaimed: String(reclaimed) });
  return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
}
