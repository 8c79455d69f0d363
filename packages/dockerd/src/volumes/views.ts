/** moby's volume.Volume: what `docker volume inspect` and `ls` show. */
import type { Volume, VolumeStore } from './store.js';

export function volumeView(store: VolumeStore, v: Volume): Record<string, unknown> {
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: store.dataPath(v.name),
    Name: v.name,
    Options: v.options,
    Scope: 'local',
  };
}
