/**
 * GET /events: past events since `since`, then live ones until `until` (or
 * until the client goes), one JSON object per line, filtered by type, event
 * (action), container, image, label, as docker filters them.
 */
import { Router } from 'express';
import type { EngineEvent, EventBus } from '../events/bus.js';
import { parseFilters } from '../images/filters.js';
import { parseTimeParam } from '../logs/json-file-reader.js';
import { nowNanos } from '../logs/time.js';

const keys = new Set(['type', 'event', 'container', 'image', 'label', 'network', 'volume', 'daemon', 'scope', 'plugin', 'node', 'service', 'secret', 'config']);

export function eventRoutes(bus: EventBus): Router {
  const r = Router();
  r.get('/events', (req, res) => {
    const f = parseFilters(req.query.filters, keys);
    const match = (e: EngineEvent): boolean => {
      const t = f.get('type');
      if (t && !t.includes(e.Type)) return false;
      const ev = f.get('event');
      if (ev && !ev.some((x) => e.Action === x || e.Action.startsWith(`${x}:`))) return false;
      const ctr = f.get('container');
      if (ctr && (e.Type !== 'container' || !ctr.some((x) => e.Actor.ID.startsWith(x) || e.Actor.Attributes.name === x))) return false;
      const img = f.get('image');
      if (img && !img.some((x) => e.Actor.Attributes.image === x || e.Actor.ID === x)) return false;
      const labels = f.get('label');
      if (labels && !labels.every((l) => {
        const i = l.indexOf('=');
        return i < 0 ? l in e.Actor.Attributes : e.Actor.Attributes[l.slice(0, i)] === l.slice(i + 1);
      })) return false;
      return true;
    };
    const since = req.query.since === undefined ? undefined : parseTimeParam(req.query.since);
    const until = req.query.until === undefined ? 0n : parseTimeParam(req.query.until);
    res.status(200).setHeader('Content-Type', 'application/json');
    res.flushHeaders();
    const send = (e: EngineEvent) => {
      if (until !== 0n && BigInt(e.timeNano) > until) return;
      if (match(e)) res.write(`${JSON.stringify(e)}\n`);
    };
    const sub = bus.subscribe(since, send);
    for (const e of sub.past) send(e);
    let timer: NodeJS.Timeout | undefined;
    if (until !== 0n) {
      const ms = Number((until - nowNanos()) / 1_000_000n);
      timer = setTimeout(() => res.end(), Math.max(0, ms));
    }
    res.on('close', () => {
      sub.close();
      if (timer) clearTimeout(timer);
    });
  });
  return r;
}
