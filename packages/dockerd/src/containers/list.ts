/**
 * GET /containers/json: running containers (all with all=1, or when a status
 * or exited filter asks), newest first, docker's filters, limit.
 */
import { invalidArgument } from '@berth/errors';
import { parseFilters } from '../images/filters.js';
import type { Container } from './container.js';
import type { ContainerStore } from './store.js';
import type { ContainerRecord } from './model.js';
import { joinedNetworks } from '../network/container.js';
import { networks } from '../network/registry.js';

const statuses = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);
const known = new Set(['id', 'name', 'label', 'status', 'exited', 'ancestor', 'before', 'since', 'volume', 'network', 'health', 'is-task', 'publish', 'expose']);

function labelMatch(labels: Record<string, string>, want: string): boolean {
  const i = want.indexOf('=');
  if (i < 0) return want in labels;
  return labels[want.slice(0, i)] === want.slice(i + 1);
}

export interface ListQuery {
  all: boolean;
  limit: number;
  filters: unknown;
}

/** docker's `network` filter: a name or ID of a network the container is connected to. */
function onNetwork(rec: ContainerRecord, want: string): boolean {
  const mode = rec.hostConfig.NetworkMode;
  const names = mode === 'host' || mode === 'none' ? [mode] : joinedNetworks(rec).map(([name]) => name);
  const n = networks();
  return names.some((name) => name === want || (n?.find(name)?.id ?? '') === want);
}

export function listContainers(store: ContainerStore, q: ListQuery, imageMatches: (ancestor: string, c: Container) => boolean): Container[] {
  const f = parseFilters(q.filters, known);
  for (const s of f.get('status') ?? []) if (!statuses.has(s)) throw invalidArgument(`invalid filter 'status=${s}'`);
  const exited = (f.get('exited') ?? []).map((v) => {
    if (!/^-?\d+$/.test(v)) throw invalidArgument(`invalid filter 'exited=${v}'`);
    return Number(v);
  });
  let list = store.list().sort((a, b) => b.record.created.localeCompare(a.record.created));
  const anchor = (key: 'before' | 'since') => {
    const ref = f.get(key)?.[0];
    return ref === undefined ? undefined : store.get(ref).record.created;
  };
  const before = anchor('before');
  const sinceT = anchor('since');
  const all = q.all || q.limit > 0 || f.has('status') || f.has('exited') || before !== undefined || sinceT !== undefined;
  list = list.filter((c) => {
    const rec = c.record;
    if (!all && rec.state.Status !== 'running' && rec.state.Status !== 'paused' && rec.state.Status !== 'restarting') return false;
    const ids = f.get('id');
    if (ids && !ids.some((v) => rec.id.startsWith(v))) return false;
    const names = f.get('name');
    if (names && !names.some((v) => new RegExp(v).test(rec.name.slice(1)) || rec.name === v)) return false;
    const labels = f.get('label');
    if (labels && !labels.every((l) => labelMatch(rec.config.Labels, l))) return false;
    const st = f.get('status');
    if (st && !st.includes(rec.state.Status)) return false;
    if (exited.length > 0 && !(rec.state.Status === 'exited' && exited.includes(rec.state.ExitCode))) return false;
    const anc = f.get('ancestor');
    if (anc && !anc.some((a) => imageMatches(a, c))) return false;
    if (before !== undefined && rec.created >= before) return false;
    if (sinceT !== undefined && rec.created <= sinceT) return false;
    const health = f.get('health');
    if (health && !health.includes(rec.state.Health?.Status ?? 'none')) return false;
    const nets = f.get('network');
    if (nets && !nets.some((x) => onNetwork(rec, x))) return false;
    return true;
  });
  return q.limit > 0 ? list.slice(0, q.limit) : list;
}
