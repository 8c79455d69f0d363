/**
 * The container filesystem endpoints: changes (docker diff), export,
 * archive HEAD/GET/PUT (docker cp) and commit.
 */
import { Router, type Request, type Response } from 'express';
import { archiveContainerPath, extractToContainer, statContainerPath, statHeader } from '../containers/archive.js';
import { containerChanges } from '../containers/changes.js';
import { commitContainer } from '../containers/commit.js';
import type { Engine } from '../containers/engine.js';
import { exportContainer } from '../containers/export.js';
import { sendJson } from '../server/json.js';
import { idParam, readJsonBody, str } from './params.js';

const statHeaderName = 'X-Docker-Container-Path-Stat';

/** A stream that failed after the headers went out can only be cut off: the client sees a short tar. */
async function streaming(res: Response, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (!res.headersSent) throw err;
    res.destroy(err as Error);
  }
}

/** `changes` arrives as repeated query values (docker CLI) or one value. */
function changesOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' && v !== '' ? [v] : [];
}

export function containerArchiveRoutes(e: Engine): Router {
  const r = Router();
  const get = (req: Request) => e.store.get(idParam(req));

  r.get('/containers/:id/changes', async (req, res) => {
    sendJson(res, await containerChanges(e, get(req)));
  });

  r.get('/containers/:id/export', async (req, res) => {
    const c = get(req);
    await streaming(res, () => exportContainer(e, c, res, () => {
      res.status(200).setHeader('Content-Type', 'application/x-tar');
    }));
  });

  r.head('/containers/:id/archive', async (req, res) => {
    const stat = await statContainerPath(e, get(req), str(req.query.path), idParam(req));
    res.status(200).setHeader(statHeaderName, statHeader(stat));
    res.end();
  });

  r.get('/containers/:id/archive', async (req, res) => {
    const c = get(req);
    await streaming(res, () => archiveContainerPath(e, c, str(req.query.path), idParam(req), res, (stat) => {
      res.status(200).setHeader('Content-Type', 'application/x-tar');
      res.setHeader(statHeaderName, statHeader(stat));
    }));
  });

  r.put('/containers/:id/archive', async (req, res) => {
    const c = get(req);
    const noOverwriteDirNonDir = ['1', 'true', 'True'].includes(str(req.query.noOverwriteDirNonDir));
    await extractToContainer(e, c, str(req.query.path), idParam(req), req, { noOverwriteDirNonDir });
    res.status(200).end();
  });

  r.post('/commit', async (req, res) => {
    const c = e.store.get(str(req.query.container));
    const body = await readJsonBody(req);
    const pause = req.query.pause === undefined || req.query.pause === '' || ['1', 'true', 'True'].includes(str(req.query.pause));
    const id = await commitContainer(e, c, {
      repo: str(req.query.repo),
      tag: str(req.query.tag),
      comment: str(req.query.comment),
      author: str(req.query.author),
      pause,
      changes: changesOf(req.query.changes),
      config: body,
    });
    sendJson(res, { Id: id }, 201);
  });
  return r;
}
