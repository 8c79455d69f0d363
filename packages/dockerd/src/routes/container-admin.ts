/**
 * Container housekeeping endpoints: stats (one sample or a stream),
 * update (limits and restart policy), prune, and GET /system/df.
 */
import { Router } from 'express';
import type { Engine } from '../containers/engine.js';
import type { ExecStore } from '../containers/exec.js';
import { isRunning } from '../containers/model.js';
import { containerPruneFilterKeys, pruneContainers } from '../containers/prune.js';
import { statsLine } from '../containers/stats.js';
import { serveStats } from '../containers/stats-stream.js';
import { updateContainer } from '../containers/update.js';
import { parseFilters } from '../images/filters.js';
import type { ImageUsers } from '../images/tag.js';
import { sendJson } from '../server/json.js';
import { diskUsage, parseDfTypes } from '../system/df.js';
import { idParam, readJsonBody, truthy } from './params.js';

/** docker's boolean query value with a default when absent. */
const boolOr = (v: unknown, dflt: boolean): boolean => (v === undefined || v === '' ? dflt : truthy(v));

/** The containers created from an image, for docker rmi's conflicts. */
export const imageUsers = (e: Engine): ImageUsers => (imageId) =>
  e.store.list().filter((c) => c.record.image === imageId).map((c) => ({ id: c.id, running: isRunning(c.record.state) }));

export function containerAdminRoutes(e: Engine, execs: ExecStore): Router {
  const r = Router();
  r.get('/containers/:id/stats', async (req, res) => {
    const c = e.store.get(idParam(req));
    const stream = boolOr(req.query.stream, true);
    res.status(200).setHeader('Content-Type', 'application/json');
    if (stream) res.flushHeaders();
    const gone = new Promise<void>((resolve) => res.on('close', () => resolve()));
    await serveStats(e, c, { stream, oneShot: boolOr(req.query['one-shot'], false) }, {
      write: (s) => res.write(statsLine(s)),
      gone,
    });
    res.end();
  });
  r.post('/containers/:id/update', async (req, res) => {
    const c = e.store.get(idParam(req));
    sendJson(res, await updateContainer(e, c, await readJsonBody(req)));
  });
  r.post('/containers/prune', async (req, res) => {
    const before = new Set(e.store.list());
    const report = await pruneContainers(e, parseFilters(req.query.filters, containerPruneFilterKeys));
    for (const c of before) if (e.store.find(c.id) !== c) execs.dropContainer(c);
    sendJson(res, report);
  });
  r.get('/system/df', async (req, res) => {
    sendJson(res, await diskUsage(e, parseDfTypes(req.query.type)));
  });
  return r;
}
