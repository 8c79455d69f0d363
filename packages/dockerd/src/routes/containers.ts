/**
 * The container life-cycle endpoints: create, list, inspect, start, stop,
 * restart, kill, wait, remove, rename, pause/unpause, top, and exec.
 */
import { Router } from 'express';
import { conflict, invalidArgument } from '@berth/errors';
import type { Container } from '../containers/container.js';
import { createContainer } from '../containers/create.js';
import type { Engine } from '../containers/engine.js';
import { createExec, execInspect, startExec, type ExecStore } from '../containers/exec.js';
import { killContainer, stopContainer } from '../containers/kill.js';
import { listContainers } from '../containers/list.js';
import { isRunning } from '../containers/model.js';
import { checkName } from '../containers/names.js';
import { removeContainer } from '../containers/remove.js';
import { containerSizes, type SizeCache } from '../containers/size.js';
import { startContainer } from '../containers/start.js';
import { topContainer } from '../containers/top.js';
import { inspectView, summaryView } from '../containers/views.js';
import { parseCondition, waitFor } from '../containers/wait.js';
import { listImages } from '../images/store.js';
import { frame } from '../logs/stdcopy.js';
import { hijack, multiplexedStream, rawStream } from '../server/hijack.js';
import { sendJson } from '../server/json.js';
import { idParam, intParam, readJsonBody, str, truthy } from './params.js';
import { containerAttributes } from '../containers/event-attributes.js';

export function containerRoutes(e: Engine, execs: ExecStore): Router {
  const r = Router();
  const get = (req: Parameters<Parameters<typeof r.get>[1]>[0]) => e.store.get(idParam(req));

  r.post('/containers/create', async (req, res) => {
    const body = await readJsonBody(req);
    sendJson(res, await createContainer(e, body, str(req.query.name)), 201);
  });
  r.get('/containers/json', async (req, res) => {
    const images = await listImages(e.ctr);
    const ids = new Set(images.map((i) => i.id));
    const limit = intParam(req.query.limit, 'limit') ?? -1;
    const matchImage = (ancestor: string, c: Container) => {
      const img = images.find((i) => i.id === ancestor || i.id.startsWith(`sha256:${ancestor}`) || i.records.some((x) => x.name === ancestor || x.name.endsWith(`/${ancestor}`) || x.name.endsWith(`/${ancestor}:latest`)));
      return img !== undefined && img.id === c.record.image;
    };
    const list = listContainers(e.store, { all: truthy(req.query.all), limit, filters: req.query.filters }, matchImage);
    const cache: SizeCache = new Map();
    const sized = async (c: Container) => (truthy(req.query.size) ? containerSizes(e, c, cache) : undefined);
    sendJson(res, await Promise.all(list.map(async (c) => summaryView(c, ids.has(c.record.image) && images.some((i) => i.id === c.record.image), await sized(c)))));
  });
  r.get('/containers/:id/json', async (req, res) => {
    const c = get(req);
    sendJson(res, inspectView(c, truthy(req.query.size) ? await containerSizes(e, c) : undefined));
  });
  r.post('/containers/:id/start', async (req, res) => {
    const result = await startContainer(e, get(req));
    res.status(result === 'already' ? 304 : 204).end();
  });
  r.post('/containers/:id/stop', async (req, res) => {
    const t = intParam(req.query.t, 't');
    const stopped = await stopContainer(e, get(req), { signal: str(req.query.signal), ...(t === undefined ? {} : { timeoutSeconds: t }) });
    res.status(stopped ? 204 : 304).end();
  });
  r.post('/containers/:id/restart', async (req, res) => {
    const c = get(req);
    const t = intParam(req.query.t, 't');
    await stopContainer(e, c, { signal: str(req.query.signal), ...(t === undefined ? {} : { timeoutSeconds: t }) });
    await startContainer(e, c);
    e.events.publish('container', 'restart', c.id, containerAttributes(c.record));
    res.status(204).end();
  });
  r.post('/containers/:id/kill', async (req, res) => {
    await killContainer(e, get(req), str(req.query.signal), idParam(req));
    res.status(204).end();
  });
  r.post('/containers/:id/wait', async (req, res) => {
    const c = get(req);
    const result = waitFor(c, parseCondition(req.query.condition));
    // headers first: the client knows the waiter is registered before it starts the container
    res.status(200).setHeader('Content-Type', 'application/json');
    res.flushHeaders();
    res.end(`${JSON.stringify(await result)}\n`);
  });
  r.delete('/containers/:id', async (req, res) => {
    const c = get(req);
    if (truthy(req.query.link)) throw invalidArgument('links are not supported');
    await removeContainer(e, c, { force: truthy(req.query.force), removeVolumes: truthy(req.query.v) });
    execs.dropContainer(c);
    res.status(204).end();
  });
  r.post('/containers/:id/rename', async (req, res) => {
    const c = get(req);
    const name = checkName(str(req.query.name));
    if (name === c.record.name) throw conflict(`Renaming a container with the same name as its current name`);
    await c.serial(async () => {
      e.store.reserveName(name, c.id);
      const old = c.record.name;
      c.record.name = name;
      e.store.releaseName(old, c.id);
      e.store.save(c);
      e.events.publish('container', 'rename', c.id, containerAttributes(c.record, { name: name.slice(1), oldName: old }));
    });
    res.status(204).end();
  });
  for (const [verb, status, call] of [['pause', 'paused', 'pause'], ['unpause', 'running', 'resume']] as const) {
    r.post(`/containers/:id/${verb}`, async (req, res) => {
      const c = get(req);
      await c.serial(async () => {
        const s = c.record.state.Status;
        if (s !== 'running' && s !== 'paused') throw conflict(`Container ${c.id} is not running`);
        if (verb === 'pause' && s === 'paused') throw conflict(`Container ${c.id} is already paused`);
        if (verb === 'unpause' && s !== 'paused') throw conflict(`Container ${c.id} is not paused`);
        await e.ctr.tasks[call]({ containerId: c.id });
        c.record.state = { ...c.record.state, Status: status };
        e.store.save(c);
        e.events.publish('container', verb, c.id, containerAttributes(c.record));
      });
      res.status(204).end();
    });
  }
  r.get('/containers/:id/top', async (req, res) => {
    sendJson(res, await topContainer(e, get(req), str(req.query.ps_args)));
  });

  r.post('/containers/:id/exec', async (req, res) => {
    const c = get(req);
    const body = await readJsonBody(req);
    const id = createExec(execs, c, body);
    e.events.publish('container', `exec_create: ${(body.Cmd as string[]).join(' ')}`, c.id, containerAttributes(c.record, { execID: id }));
    sendJson(res, { Id: id }, 201);
  });
  r.post('/exec/:id/start', async (req, res) => {
    const x = execs.get(idParam(req));
    const body = await readJsonBody(req);
    const tty = body.Tty === true || x.config.Tty;
    if (body.Detach === true) {
      const err = await startExec(e, x, tty, false, { data: () => undefined, end: () => undefined });
      if (err !== undefined) throw invalidArgument(err);
      res.status(200).end();
      return;
    }
    const stream = hijack(req, res, tty ? rawStream : multiplexedStream);
    const write = (kind: 'stdout' | 'stderr', chunk: Buffer) => stream.output.write(tty ? chunk : frame(kind, chunk));
    const err = await startExec(e, x, tty, x.config.AttachStdin, {
      data: (kind, chunk) => {
        if (kind === 'stdout' ? x.config.AttachStdout : x.config.AttachStderr) write(kind, chunk);
      },
      end: () => stream.close(),
    });
    if (err !== undefined) {
      // dockerd writes the failure into the stdout stream
      write('stdout', Buffer.from(`${err}\r\n`));
      stream.close();
      return;
    }
    if (x.stdin) {
      const stdin = x.stdin;
      stream.input.on('data', (chunk: Buffer) => stdin.write(chunk));
      stream.input.on('end', () => {
        stdin.end();
        void e.ctr.tasks.closeIO({ containerId: x.container.id, execId: x.id, stdin: true }).catch(() => undefined);
      });
    }
  });
  r.get('/exec/:id/json', (req, res) => {
    sendJson(res, execInspect(execs.get(idParam(req))));
  });
  r.post('/exec/:id/resize', async (req, res) => {
    const x = execs.get(idParam(req));
    if (!x.running) throw conflict(`Exec ${x.id} is not running`);
    await e.ctr.tasks.resizePty({ containerId: x.container.id, execId: x.id, width: intParam(req.query.w, 'w') ?? 0, height: intParam(req.query.h, 'h') ?? 0 });
    res.status(200).end();
  });
  return r;
}
