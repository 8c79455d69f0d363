/** GET /images/search: a registry's v1 search (registry/search.ts), with the caller's credentials. */
import { Router } from 'express';
import { decodeAuthHeader } from '../registry/auth.js';
import { searchFilterKeys, searchImages } from '../registry/search.js';
import { parseFilters } from '../images/filters.js';
import { sendJson } from '../server/json.js';
import { intParam, str } from './params.js';

export function searchRoutes(): Router {
  const r = Router();
  r.get('/images/search', async (req, res) => {
    const filters = parseFilters(req.query.filters, searchFilterKeys);
    const limit = intParam(req.query.limit, 'limit') ?? 0;
    const creds = decodeAuthHeader(req.header('x-registry-auth'));
    sendJson(res, await searchImages(str(req.query.term), limit, filters, creds));
  });
  return r;
}
