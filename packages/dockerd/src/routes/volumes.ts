/**
 * The volume endpoints: GET /volumes, POST /volumes/create, GET and DELETE
 * /volumes/{name}, POST /volumes/prune, with the local driver only.
 */
import { Router } from 'express';
import { invalidArgument } from '@berth/errors';
import type { Engine } from '../containers/engine.js';
import { relayVolumeEvents } from '../volumes/events.js';
import { listMatches, parseFilters } from '../volumes/filters.js';
import { volumeStore } from '../volumes/registry.js';
import { createVolume, pruneVolumes, removeVolume, type CreateRequest } from '../volumes/service.js';
import { usedVolumes } from '../volumes/usage.js';
import { volumeView } from '../volumes/views.js';
import { sendJson } from '../server/json.js';
import { readJsonBody, truthy } from './params.js';

const nameParam = (params: unknown): string => (params as Record<string, string | undefined>).name ?? '';

function stringMap(v: unknown, field: string): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) throw invalidArgument(`invalid ${field}: expected an object of strings`);
  return v as Record<string, string>;
}

export function volumeRoutes(e: Engine): Router {
  const r = Router();
  const store = volumeStore(e); // loads the volumes on disk now, not at the first request
  relayVolumeEvents(e);

  r.get('/volumes', (req, res) => {
    const f = parseFilters(req.query.filters, ['dangling', 'name', 'label', 'driver']);
    const used = usedVolumes(e);
    const list = store.list().filter((v) => listMatches(f, v, (used.get(v.name) ?? 0) > 0));
    sendJson(res, { Volumes: list.map((v) => volumeView(store, v)), Warnings: null });
  });
  r.post('/volumes/create', async (req, res) => {
    const body = await readJsonBody(req);
    if (body.Name !== undefined && typeof body.Name !== 'string') throw invalidArgument('invalid Name: expected a string');
    if (body.Driver !== undefined && typeof body.Driver !== 'string') throw invalidArgument('invalid Driver: expected a string');
    const request: CreateRequest = {
      ...(typeof body.Name === 'string' ? { Name: body.Name } : {}),
      ...(typeof body.Driver === 'string' ? { Driver: body.Driver } : {}),
      DriverOpts: stringMap(body.DriverOpts, 'DriverOpts'),
      Labels: stringMap(body.Labels, 'Labels'),
    };
    sendJson(res, volumeView(store, createVolume(e, request)), 201);
  });
  r.post('/volumes/prune', (req, res) => {
    sendJson(res, pruneVolumes(e, parseFilters(req.query.filters, ['all', 'label', 'label!'])));
  });
  r.get('/volumes/:name', (req, res) => {
    sendJson(res, volumeView(store, store.get(nameParam(req.params))));
  });
  r.delete('/volumes/:name', (req, res) => {
    removeVolume(e, nameParam(req.params), truthy(req.query.force));
    res.status(204).end();
  });
  return r;
}
