/**
 * Image routes over the containerd image store: list, inspect, tag, remove, load.
 */
import { Router, type Request } from 'express';
import type { Containerd } from '../containerd.js';
import { applyFilters, parseFilters, referenceMatcher } from '../images/filters.js';
import { loadImages } from '../images/load.js';
import { findImage, listImages } from '../images/store.js';
import { removeImage, tagImage } from '../images/tag.js';
import { inspectOf, summaryOf } from '../images/views.js';
import { sendJson } from '../server/json.js';

const truthy = (v: unknown): boolean => v === '1' || v === 'true' || v === 'True';
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

export function imageRoutes(ctr: Containerd): Router {
  const r = Router();
  r.get('/images/json', async (req, res) => {
    const filters = parseFilters(req.query.filters);
    const all = await listImages(ctr);
    const lookup = (ref: string) => all.find((i) => i.id === ref || i.id.startsWith(`sha256:${ref}`) || i.records.some((x) => x.name.endsWith(`/${ref}`) || x.name === ref));
    const chosen = applyFilters(all, filters, lookup);
    chosen.sort((a, b) => (b.config.created ?? '').localeCompare(a.config.created ?? ''));
    const refs = filters.get('reference');
    const keep = refs?.length ? referenceMatcher(refs) : undefined;
    sendJson(res, chosen.map((img) => summaryOf(img, keep)));
  });
  r.post('/images/load', async (req, res) => {
    const { messages } = await loadImages(ctr, await readBody(req));
    res.status(200).setHeader('Content-Type', 'application/json');
    res.end(messages.map((m) => `${JSON.stringify({ stream: `${m}\n` })}\n`).join(''));
  });
  r.get('/images/*name/json', async (req, res) => {
    sendJson(res, inspectOf(await findImage(ctr, nameParam(req))));
  });
  r.post('/images/*name/tag', async (req, res) => {
    await tagImage(ctr, nameParam(req), str(req.query.repo), str(req.query.tag));
    res.status(201).end();
  });
  r.delete('/images/*name', async (req, res) => {
    sendJson(res, await removeImage(ctr, nameParam(req), truthy(req.query.force)));
  });
  return r;
}

function nameParam(req: Request): string {
  const p = (req.params as Record<string, string | string[]>).name;
  return Array.isArray(p) ? p.join('/') : (p ?? '');
}
