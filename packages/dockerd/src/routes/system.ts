/**
 * System routes: /_ping (GET and HEAD), /version, /info. /_ping and /version are
 * what every client asks first (the berth CLI included): keep them stable.
 */
import { Router } from 'express';
import type { Containerd } from '../containerd.js';
import { sendJson } from '../server/json.js';
import { infoResponse, type DaemonSettings } from '../system/info.js';
import { versionResponse } from '../system/version.js';

/** moby's BuilderVersion: "1" is the classic builder (no BuildKit). */
const builderVersion = '1';

export function systemRoutes(containerd: Containerd, settings: DaemonSettings): Router {
  const r = Router();
  // Express answers HEAD with the GET handler minus the body; the headers are moby's.
  r.get('/_ping', (req, res) => {
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Builder-Version', builderVersion);
    res.setHeader('Swarm', 'inactive');
    res.type('text/plain; charset=utf-8');
    if (req.method === 'HEAD') {
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    }
    res.send('OK');
  });
  r.get('/version', async (_req, res) => {
    sendJson(res, await versionResponse(containerd));
  });
  r.get('/info', async (_req, res) => {
    sendJson(res, await infoResponse(containerd, settings));
  });
  return r;
}
