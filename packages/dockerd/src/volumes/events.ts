/**
 * Volume mount and unmount events, as dockerd logs them when a container's
 * volumes are mounted at start and released when it stops: derived from the
 * container start and die events on the bus, so the start and exit paths
 * need not know about volumes.
 */
import type { Engine } from '../containers/engine.js';

export function relayVolumeEvents(e: Engine): void {
  e.events.subscribe(undefined, (ev) => {
    if (ev.Type !== 'container' || (ev.Action !== 'start' && ev.Action !== 'die')) return;
    const c = e.store.find(ev.Actor.ID);
    for (const m of c?.record.mountPoints ?? []) {
      if (m.Type !== 'volume') continue;
      if (ev.Action === 'start') {
        e.events.publish('volume', 'mount', m.Name, { container: ev.Actor.ID, destination: m.Destination, driver: 'local', propagation: m.Propagation, 'read/write': String(m.RW) });
      } else {
        e.events.publish('volume', 'unmount', m.Name, { container: ev.Actor.ID, driver: 'local' });
      }
    }
  });
}
