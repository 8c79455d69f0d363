/**
 * Image routes over the containerd image store: list, inspect, tag, remove,
 * load, pull and import (POST /images/create), push, save, history and prune.
 */
import { Router, type Request, type Response } from 'express';
import type { Containerd } from '../containerd.js';
import { applyFilters, parseFilters, referenceMatcher } from '../images/filters.js';
import { imageHistory } from '../images/history.js';
import { importImage } from '../images/import.js';
import { loadImages } from '../images/load.js';
import { errorMessage, jsonLines } from '../images/progress.js';
import { parsePlatform, planPull } from '../images/pull-plan.js';
import { runPull } from '../images/pull.js';
import { pruneFilterKeys, pruneImages } from '../images/prune.js';
import { runPush } from '../images/push.js';
import { resolveSave, writeSave } from '../images/save.js';
import { findImage, listImages } from '../images/store.js';
import { removeImage, tagImage, type ImageUsers } from '../images/tag.js';
import { imageSize, imageSizes } from '../images/layer-size.js';
import { inspectOf, summaryOf } from '../images/views.js';
import { decodeAuthHeader, pushAuth } from '../registry/auth.js';
import { sendJson } from '../server/json.js';
import { intermediateLabel } from '../build/image-writer.js';

const truthy = (v: unknown): boolean => v === '1' || v === 'true' || v === 'True';
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** Starts a JSON progress stream; errors after this point travel in it, as moby's do. */
function startStream(res: Response): (msg: Record<string, unknown>) => void {
  res.status(200).setHeader('Content-Type', 'application/json');
  res.flushHeaders();
  return jsonLines((s) => res.write(s));
}

async function create(ctr: Containerd, req: Request, res: Response): Promise<void> {
  const fromImage = str(req.query.fromImage);
  if (fromImage) {
    const plan = await planPull(fromImage, str(req.query.tag), parsePlatform(str(req.query.platform)), decodeAuthHeader(req.get('X-Registry-Auth')));
    const out = startStream(res);
    try {
      await runPull(ctr, plan, out);
    } catch (err) {
      out(errorMessage(err instanceof Error ? err.message : String(err)));
    }
    res.end();
    return;
  }
  const platform = str(req.query.platform);
  const id = await importImage(ctr, await readBody(req), {
    repo: str(req.query.repo),
    tag: str(req.query.tag),
    message: str(req.query.message),
    changes: strs(req.query.changes),
    ...(platform ? { platform: parsePlatform(platform) } : {}),
  });
  startStream(res)({ status: id });
  res.end();
}

async function save(ctr: Containerd, names: string[], res: Response): Promise<void> {
  const entries = await resolveSave(ctr, names);
  res.status(200).setHeader('Content-Type', 'application/x-tar');
  try {
    await writeSave(ctr, entries, res);
    res.end();
  } catch {
    // the tar is half sent: cutting the connection is the only way to tell the client
    res.destroy();
  }
}

export function imageRoutes(ctr: Containerd, usersOf?: ImageUsers): Router {
  const r = Router();
  r.get('/images/json', async (req, res) => {
    const filters = parseFilters(req.query.filters);
    const all = await listImages(ctr);
    const lookup = (ref: string) => all.find((i) => i.id === ref || i.id.startsWith(`sha256:${ref}`) || i.records.some((x) => x.name.endsWith(`/${ref}`) || x.name === ref));
    // the classic builder's step images show only with all=1, as dockerd's intermediate images
    const shown = truthy(req.query.all) ? all : all.filter((img) => !img.records.every((rec) => rec.labels[intermediateLabel] !== undefined));
    const chosen = applyFilters(shown, filters, lookup);
    chosen.sort((a, b) => (b.config.created ?? '').localeCompare(a.config.created ?? ''));
    const refs = filters.get('reference');
    const keep = refs?.length ? referenceMatcher(refs) : undefined;
    const sizes = await imageSizes(ctr, chosen);
    sendJson(res, chosen.map((img) => summaryOf(img, sizes.get(img.id) ?? 0, keep)));
  });
  r.post('/images/load', async (req, res) => {
    // the body streams into the content store: a large image never sits in memory
    const { messages } = await loadImages(ctr, req);
    res.status(200).setHeader('Content-Type', 'application/json');
    res.end(messages.map((m) => `${JSON.stringify({ stream: `${m}\n` })}\n`).join(''));
  });
  r.post('/images/create', (req, res) => create(ctr, req, res));
  r.post('/images/prune', async (req, res) => {
    sendJson(res, await pruneImages(ctr, parseFilters(req.query.filters, pruneFilterKeys), usersOf));
  });
  r.get('/images/get', (req, res) => save(ctr, strs(req.query.names), res));
  r.get('/images/*name/get', (req, res) => save(ctr, [nameParam(req)], res));
  r.get('/images/*name/history', async (req, res) => {
    sendJson(res, await imageHistory(ctr, await findImage(ctr, nameParam(req))));
  });
  r.get('/images/*name/json', async (req, res) => {
    const img = await findImage(ctr, nameParam(req));
    sendJson(res, inspectOf(img, await imageSize(ctr, img)));
  });
  r.post('/images/*name/tag', async (req, res) => {
    await tagImage(ctr, nameParam(req), str(req.query.repo), str(req.query.tag));
    res.status(201).end();
  });
  r.post('/images/*name/push', async (req, res) => {
    const creds = pushAuth(req.get('X-Registry-Auth'), await readBody(req));
    const out = startStream(res);
    try {
      await runPush(ctr, nameParam(req), str(req.query.tag), creds, out);
    } catch (err) {
      out(errorMessage(err instanceof Error ? err.message : String(err)));
    }
    res.end();
  });
  r.delete('/images/*name', async (req, res) => {
    sendJson(res, await removeImage(ctr, nameParam(req), truthy(req.query.force), usersOf));
  });
  return r;
}

function nameParam(req: Request): string {
  const p = (req.params as Record<string, string | string[]>).name;
  return Array.isArray(p) ? p.join('/') : (p ?? '');
}
