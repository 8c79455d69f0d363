/**
 * The network endpoints: GET /networks (filters name, id, driver, type,
 * label, scope, dangling), GET /networks/{id}, POST /networks/create,
 * DELETE /networks/{id}, POST /networks/{id}/connect and /disconnect,
 * POST /networks/prune (filters until, label, label!).
 */
import { Router, type Request } from 'express';
import { notFound } from '@berth/errors';
import type { Engine } from '../containers/engine.js';
import { parseFilters } from '../images/filters.js';
import { untilTime } from '../images/prune.js';
import { connectContainer, disconnectContainer } from '../network/connect.js';
import { joinedNetworks } from '../network/container.js';
import { createNetwork, removeNetwork, type CreateNetworkBody } from '../network/manage.js';
import { networks, type NetworkRef, type Networks } from '../network/registry.js';
import { networkView } from '../network/views.js';
import { labelsMatch } from '../volumes/filters.js';
import { sendJson } from '../server/json.js';
import { readJsonBody } from './params.js';

const listKeys = new Set(['name', 'id', 'driver', 'type', 'label', 'scope', 'dangling']);
const pruneKeys = new Set(['until', 'label', 'label!']);
const idParam = (req: Request) => (req.params as Record<string, string>).id ?? '';

const labelsOf = (ref: NetworkRef) => (ref.kind === 'user' ? ref.net.record.labels : {});
const hasEndpoints = (n: Networks, ref: NetworkRef) => (ref.kind === 'user' ? ref.net.bridge.list().length > 0 : ref.name === 'bridge' && (n.bridge?.list().length ?? 0) > 0);

/** Networks a container (running or not) is configured to join: prune keeps them, as docker keeps networks in use. */
function referencedNetworks(e: Engine): Set<string> {
  return new Set(e.store.list().flatMap((c) => joinedNetworks(c.record).map(([name]) => name)));
}

function need(): Networks {
  const n = networks();
  if (!n) throw notFound('networks are not set up');
  return n;
}

export function networkRoutes(e: Engine): Router {
  const r = Router();
  r.get('/networks', (req, res) => {
    const n = networks();
    const f = parseFilters(req.query.filters, listKeys);
    const rows = (n?.all() ?? []).filter((ref) => {
      const name = f.get('name');
      if (name && !name.some((x) => ref.name.includes(x))) return false;
      const id = f.get('id');
      if (id && !id.some((x) => ref.id.startsWith(x))) return false;
      const driver = f.get('driver');
      if (driver && !driver.includes(ref.kind === 'user' ? 'bridge' : ({ bridge: 'bridge', host: 'host', none: 'null' } as const)[ref.name])) return false;
      const type = f.get('type');
      if (type && !type.includes(ref.kind === 'user' ? 'custom' : 'builtin')) return false;
      if (!labelsMatch(labelsOf(ref), f.get('label') ?? [], false)) return false;
      const scope = f.get('scope');
      if (scope && !scope.includes('local')) return false;
      const dangling = f.get('dangling');
      if (dangling && n) {
        const want = dangling.includes('true') || dangling.includes('1');
        if (ref.kind === 'builtin' || want === hasEndpoints(n, ref)) return false;
      }
      return true;
    });
    sendJson(res, n ? rows.map((ref) => networkView(n, ref, e.store)) : []);
  });
  r.get('/networks/:id', (req, res) => {
    const n = networks();
    const ref = n?.find(idParam(req));
    if (!n || !ref) throw notFound(`network ${idParam(req)} not found`);
    sendJson(res, networkView(n, ref, e.store));
  });
  r.post('/networks/create', async (req, res) => {
    const body = (await readJsonBody(req)) as CreateNetworkBody;
    const rec = await createNetwork(need(), body);
    e.events.publish('network', 'create', rec.id, { name: rec.name, type: 'bridge' });
    sendJson(res, { Id: rec.id, Warning: '' }, 201);
  });
  r.delete('/networks/:id', async (req, res) => {
    const rec = await removeNetwork(need(), idParam(req));
    e.events.publish('network', 'destroy', rec.id, { name: rec.name, type: 'bridge' });
    res.status(204).end();
  });
  r.post('/networks/:id/connect', async (req, res) => {
    const body = await readJsonBody(req);
    await connectContainer(e, idParam(req), String(body.Container ?? ''), body.EndpointConfig);
    res.status(200).end();
  });
  r.post('/networks/:id/disconnect', async (req, res) => {
    const body = await readJsonBody(req);
    await disconnectContainer(e, idParam(req), String(body.Container ?? ''));
    res.status(200).end();
  });
  r.post('/networks/prune', async (req, res) => {
    const n = need();
    const f = parseFilters(req.query.filters, pruneKeys);
    const until = (f.get('until') ?? []).map((u) => untilTime(u));
    const used = referencedNetworks(e);
    const deleted: string[] = [];
    for (const ref of n.all()) {
      if (ref.kind !== 'user' || used.has(ref.name) || hasEndpoints(n, ref)) continue;
      const labels = ref.net.record.labels;
      if (!labelsMatch(labels, f.get('label') ?? [], false) || !labelsMatch(labels, f.get('label!') ?? [], true)) continue;
      if (until.some((t) => Date.parse(ref.net.record.created) >= t)) continue;
      const rec = await removeNetwork(n, ref.id);
      e.events.publish('network', 'destroy', rec.id, { name: rec.name, type: 'bridge' });
      deleted.push(rec.name);
    }
    sendJson(res, { NetworksDeleted: deleted.length > 0 ? deleted : null });
  });
  return r;
}
