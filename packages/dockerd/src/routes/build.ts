/**
 * POST /build: the classic builder (Builder-Version 1). The body is the
 * context tar; the answer is docker's JSON-lines stream. An error before any
 * output is a plain HTTP error (moby answers so when nothing was flushed);
 * after that it is an `errorDetail` line and the stream ends.
 * POST /build/prune answers with nothing reclaimed: the build cache is the
 * intermediate images, removed with the images.
 */
import fs from 'node:fs/promises';
import { Router, type Request } from 'express';
import { invalidArgument, isBerthError, notImplemented } from '@berth/errors';
import { build } from '../build/builder.js';
import { unpackContext } from '../build/context.js';
import { BuildOutput } from '../build/output.js';
import { StepFailed } from '../build/run-step.js';
import type { Engine } from '../containers/engine.js';
import { normalizeName, parseReference } from '../images/reference.js';
import { sendJson } from '../server/json.js';
import { str, truthy } from './params.js';
import { credentialsFromConfigHeader } from '../registry/auth.js';

function jsonQuery<T>(req: Request, name: string, fallback: T): T {
  const v = str(req.query[name]);
  if (v === '') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    throw invalidArgument(`${name}: invalid JSON: ${v}`);
  }
}

function listQuery(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x !== '');
  return typeof v === 'string' && v !== '' ? [v] : [];
}

/** The registry of an image reference as docker normalises it (busybox -> docker.io). */
function domainOf(ref: string): string {
  const repo = parseReference(normalizeName(ref)).repository;
  return repo.slice(0, repo.indexOf('/'));
}

export function buildRoutes(e: Engine): Router {
  const r = Router();
  r.post('/build', async (req, res) => {
    if (str(req.query.version) === '2') throw notImplemented('BuildKit is not supported by berthd: use the classic builder (DOCKER_BUILDKIT=0)');
    if (str(req.query.remote) !== '') throw notImplemented('remote build contexts are not supported by berthd (builds have no network)');
    const tags = listQuery(req.query.t);
    for (const t of tags) {
      try {
        normalizeName(t);
      } catch {
        throw invalidArgument(`invalid reference format: ${t}`);
      }
    }
    const rawArgs = jsonQuery<Record<string, string | null>>(req, 'buildargs', {});
    const buildArgs = new Map<string, string | undefined>(Object.entries(rawArgs).map(([k, v]) => [k, v ?? undefined]));
    const labels = jsonQuery<Record<string, string>>(req, 'labels', {});
    const quiet = truthy(req.query.q);
    const out = new BuildOutput(res, quiet);
    const dockerfile = str(req.query.dockerfile) || 'Dockerfile';
    const contextDir = await unpackContext(req);
    try {
      await build(e, out, {
        contextDir,
        dockerfile,
        tags,
        buildArgs,
        labels,
        target: str(req.query.target),
        noCache: truthy(req.query.nocache),
        rm: req.query.rm === undefined || truthy(req.query.rm),
        forceRm: truthy(req.query.forcerm),
        ...(truthy(req.query.pull) ? { pull: (ref: string) => credentialsFromConfigHeader(req.get('X-Registry-Config'), domainOf(ref)) } : {}),
      });
    } catch (err) {
      if (!out.flushed) throw err;
      const code = err instanceof StepFailed ? err.code : undefined;
      e.log.debug('build failed', { error: (err as Error).message, berth: isBerthError(err) });
      out.error((err as Error).message, code);
    } finally {
      await fs.rm(contextDir, { recursive: true, force: true });
    }
    res.end();
  });
  r.post('/build/prune', (_req, res) => {
    sendJson(res, { CachesDeleted: null, SpaceReclaimed: 0 });
  });
  return r;
}
