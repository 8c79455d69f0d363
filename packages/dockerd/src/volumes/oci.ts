/**
 * A volume mount in the OCI spec. A plain local volume is a bind of its _data
 * directory. One made with type/device/o options (`docker volume create -o
 * type=tmpfs -o device=tmpfs -o o=size=64m`, or `type=none,o=bind`) is that
 * mount itself, done by the runtime in the container's mount namespace
 * instead of on the host under _data as the local driver does: nothing of
 * berthd's stays mounted on the host, at the price that a tmpfs volume is not
 * shared between two containers running at once.
 */
import type { MountRecord } from '../containers/model.js';
import type { Mount } from '../containers/spec/oci.js';

export function volumeOciMount(m: MountRecord, options: Record<string, string> | null): Mount {
  const ro = m.RW ? [] : ['ro'];
  if (!options?.type || !options.device) return { destination: m.Destination, type: 'bind', source: m.Source, options: ['rbind', 'rprivate', ...ro] };
  const o = (options.o ?? '').split(',').filter(Boolean);
  const bind = o.includes('bind') || o.includes('rbind');
  if (options.type === 'none' || bind) {
    return { destination: m.Destination, type: 'bind', source: options.device, options: [...(bind ? [] : ['rbind']), ...o, 'rprivate', ...ro] };
  }
  return { destination: m.Destination, type: options.type, source: options.device, options: [...o, ...ro] };
}
