/**
 * The network endpoints of this slice: GET /networks (filters name, id,
 * driver, type) and GET /networks/{id} over the predefined networks.
 */
import { Router } from 'express';
import { notFound } from '@berth/errors';
import type { Engine } from '../containers/engine.js';
import { parseFilters } from '../images/filters.js';
import { networks } from '../network/registry.js';
import { findNetwork, networkNames, networkView } from '../network/views.js';
import { sendJson } from '../server/json.js';

const filterKeys = new Set(['name', 'id', 'driver', 'type', 'label', 'scope', 'dangling']);

export function networkRoutes(e: Engine): Router {
  const r = Router();
  r.get('/networks', (req, res) => {
    const n = networks();
    const f = parseFilters(req.query.filters, filterKeys);
    const all = n ? networkNames(n).map((name) => networkView(n, name, e.store)) : [];
    const rows = all.filter((v) => {
      const name = f.get('name');
      if (name && !name.some((x) => String(v.Name).includes(x))) return false;
      const id = f.get('id');
      if (id && !id.some((x) => String(v.Id).startsWith(x))) return false;
      const driver = f.get('driver');
      if (driver && !driver.includes(String(v.Driver))) return false;
      const type = f.get('type');
      if (type && !type.includes('builtin')) return false;
      if (f.get('label')) return false; // predefined networks have no labels
      return true;
    });
    sendJson(res, rows);
  });
  r.get('/networks/:id', (req, res) => {
    const n = networks();
    const ref = req.params.id;
    const name = n ? findNetwork(n, ref) : undefined;
    if (!n || !name) throw notFound(`network ${ref} not found`);
    sendJson(res, networkView(n, name, e.store));
  });
  return r;
}
