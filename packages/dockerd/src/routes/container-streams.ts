/**
 * The streaming container endpoints: attach (HTTP upgrade; stdin in, framed or
 * raw output out; optional log replay), logs (json-file; follow) and resize.
 */
import { Router, type Request, type Response } from 'express';
import { conflict } from '@berth/errors';
import type { Container } from '../containers/container.js';
import type { Engine } from '../containers/engine.js';
import { DetachScanner, parseDetachKeys } from '../containers/detach-keys.js';
import { isRunning } from '../containers/model.js';
import { parseEntry, matches, payloadOf, parseTimeParam, readEntries, type LogQuery } from '../logs/json-file-reader.js';
import { frame } from '../logs/stdcopy.js';
import { hijack, multiplexedStream, rawStream } from '../server/hijack.js';
import { idParam, intParam, str, truthy } from './params.js';
import { containerAttributes } from '../containers/event-attributes.js';

function writer(tty: boolean, out: NodeJS.WritableStream) {
  return (kind: 'stdout' | 'stderr', chunk: Buffer) => out.write(tty ? chunk : frame(kind, chunk));
}

function attach(e: Engine, c: Container, req: Request, res: Response): void {
  const tty = c.record.config.Tty;
  const q = req.query;
  const wantIn = truthy(q.stdin);
  const wantOut = truthy(q.stdout);
  const wantErr = truthy(q.stderr);
  parseDetachKeys(str(q.detachKeys));
  const s = c.record.state.Status;
  if (s === 'paused') throw conflict('container is paused, unpause the container before attach');
  if (s === 'restarting') throw conflict('container is restarting, wait until the container is running');
  const stream = hijack(req, res, tty ? rawStream : multiplexedStream);
  const write = writer(tty, stream.output);
  if (truthy(q.logs) && c.record.logPath !== '') {
    const lq: LogQuery = { stdout: wantOut, stderr: wantErr, since: 0n, until: 0n, tail: -1, timestamps: false };
    for (const entry of readEntries(c.record.logPath, lq)) write(entry.stream, Buffer.from(entry.log));
  }
  if (!truthy(q.stream)) {
    stream.close();
    return;
  }
  const unlisten = c.listen({
    data: (kind, chunk) => {
      if (kind === 'stdout' ? wantOut : wantErr) write(kind, chunk);
    },
    end: () => {
      unlisten();
      stream.close();
    },
  });
  if (wantIn && c.record.config.OpenStdin) {
    const scanner = new DetachScanner(parseDetachKeys(str(q.detachKeys)));
    stream.input.on('data', (chunk: Buffer) => {
      const { pass, detach } = scanner.feed(chunk);
      if (pass.length > 0) c.writeStdin(pass);
      if (detach) {
        unlisten();
        stream.close();
        e.events.publish('container', 'detach', c.id, containerAttributes(c.record));
      }
    });
    // docker closes the container's stdin when the client's ends, for StdinOnce (run -i)
    stream.input.on('end', () => {
      if (c.record.config.StdinOnce) c.endStdin();
    });
  }
  stream.onClose(() => unlisten());
  e.events.publish('container', 'attach', c.id, containerAttributes(c.record));
}

function logs(c: Container, req: Request, res: Response): void {
  const q = req.query;
  const lq: LogQuery = {
    stdout: truthy(q.stdout),
    stderr: truthy(q.stderr),
    since: parseTimeParam(q.since),
    until: parseTimeParam(q.until),
    tail: str(q.tail) === '' || str(q.tail) === 'all' ? -1 : Math.max(0, intParam(q.tail, 'tail') ?? 0),
    timestamps: truthy(q.timestamps),
  };
  if (c.record.logPath === '') throw conflict(`configured logging driver does not support reading`);
  const tty = c.record.config.Tty;
  res.status(200).setHeader('Content-Type', tty ? rawStream : multiplexedStream);
  const write = (stream: 'stdout' | 'stderr', payload: Buffer) => res.write(tty ? payload : frame(stream, payload));
  for (const entry of readEntries(c.record.logPath, lq)) write(entry.stream, payloadOf(entry, lq));
  const writerNow = c.logWriter;
  if (!truthy(q.follow) || !isRunning(c.record.state) || !writerNow) {
    res.end();
    return;
  }
  res.flushHeaders();
  const follow = (line: string) => {
    const entry = parseEntry(line);
    if (entry && matches(entry, lq)) write(entry.stream, payloadOf(entry, lq));
  };
  writerNow.followers.add(follow);
  const unlisten = c.listen({ data: () => undefined, end: () => done() });
  const done = () => {
    writerNow.followers.delete(follow);
    unlisten();
    res.end();
  };
  res.on('close', () => {
    writerNow.followers.delete(follow);
    unlisten();
  });
}

export function containerStreamRoutes(e: Engine): Router {
  const r = Router();
  r.post('/containers/:id/attach', (req, res) => attach(e, e.store.get(idParam(req)), req, res));
  r.get('/containers/:id/logs', (req, res) => logs(e.store.get(idParam(req)), req, res));
  r.post('/containers/:id/resize', async (req, res) => {
    const c = e.store.get(idParam(req));
    if (!isRunning(c.record.state)) throw conflict(`Container ${c.id} is not running`);
    const height = intParam(req.query.h, 'h') ?? 0;
    const width = intParam(req.query.w, 'w') ?? 0;
    await e.ctr.tasks.resizePty({ containerId: c.id, execId: '', width, height });
    res.status(200).end();
  });
  return r;
}
