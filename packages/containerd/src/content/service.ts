/**
 * containerd.services.content.v1.Content (contentserver.go plus the event
 * publishing of services/content/store.go): info, update of labels, list
 * with filters (streamed in blocks of 100), delete (publishes
 * /content/delete), read (streamed in 1 MiB chunks from an offset), status
 * of ingests, write (write-session.ts) and abort.
 */
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { BerthError, invalidArgument, isBerthError } from '@berth/errors';
import { ContentDeleteSchema } from '../gen/containerd/events/content_pb.js';
import { Content } from '../gen/containerd/services/content/v1/content_pb.js';
import type { Exchange } from '../events/exchange.js';
import type { ImplOf } from '../grpc/types.js';
import { goQuote } from '../identifiers.js';
import { leaseOf } from '../leases/resources.js';
import { digestProblem } from './digest.js';
import type { ContentStore } from './store.js';
import type { ContentInfo, IngestStatus } from './types.js';
import { writeSession } from './write-session.js';

const readChunk = 1 << 20;
const listBlock = 100;

const infoToProto = (i: ContentInfo) => ({
  digest: i.digest,
  size: BigInt(i.size),
  createdAt: timestampFromDate(i.createdAt),
  updatedAt: timestampFromDate(i.updatedAt),
  labels: i.labels,
});

const statusToProto = (s: IngestStatus) => ({
  ref: s.ref,
  offset: BigInt(s.offset),
  total: BigInt(s.total),
  startedAt: timestampFromDate(s.startedAt),
  updatedAt: timestampFromDate(s.updatedAt),
  expected: s.expected ?? '',
});

/** containerd answers a malformed digest with `"<digest>" failed validation`. */
function checkDigest(d: string): void {
  if (digestProblem(d) !== undefined) throw invalidArgument(`${goQuote(d)} failed validation`);
}

export function contentService(store: ContentStore, events: Exchange): ImplOf<typeof Content> {
  return {
    async info(req, ctx) {
      checkDigest(req.digest);
      return { info: infoToProto(await store.info(ctx.namespace(), req.digest)) };
    },

    async update(req, ctx) {
      const digest = req.info?.digest ?? '';
      checkDigest(digest);
      const info = await store.update(ctx.namespace(), digest, req.info?.labels ?? {}, req.updateMask?.paths ?? []);
      return { info: infoToProto(info) };
    },

    async *list(req, ctx) {
      const infos = await store.list(ctx.namespace(), req.filters);
      for (let i = 0; i < infos.length; i += listBlock) {
        // As containerd, listed infos carry no updated_at.
        yield { info: infos.slice(i, i + listBlock).map((x) => ({ ...infoToProto(x), updatedAt: undefined })) };
      }
    },

    async delete(req, ctx) {
      const ns = ctx.namespace();
      ctx.log.debug('delete content', { digest: req.digest });
      const problem = digestProblem(req.digest);
      if (problem !== undefined) throw invalidArgument(problem);
      await store.delete(ns, req.digest, leaseOf(ctx.metadata));
      events.publish(ns, '/content/delete', ContentDeleteSchema, { digest: req.digest });
      return {};
    },

    async *read(req, ctx) {
      const problem = digestProblem(req.digest);
      if (problem !== undefined) throw invalidArgument(`${req.digest}: ${problem}`);
      const { info, file } = await store.open(ctx.namespace(), req.digest);
      try {
        let offset = req.offset < 0n ? 0 : Number(req.offset);
        // containerd answers OutOfRange; Berth's vocabulary has no such kind.
        if (offset > info.size) throw invalidArgument(`read past object length ${info.size} bytes`);
        let size = Number(req.size);
        if (size <= 0 || offset + size > info.size) size = info.size - offset;
        const end = offset + size;
        // As containerd's readResponseWriter, response offsets count from the requested offset.
        let sent = 0;
        while (offset < end && !ctx.signal.aborted) {
          const buf = Buffer.allocUnsafe(Math.min(readChunk, end - offset));
          const { bytesRead } = await file.read(buf, 0, buf.length, offset);
          if (bytesRead === 0) break;
          yield { offset: BigInt(sent), data: buf.subarray(0, bytesRead) };
          offset += bytesRead;
          sent += bytesRead;
        }
      } finally {
        await file.close();
      }
    },

    async status(req, ctx) {
      try {
        return { status: statusToProto(await store.status(ctx.namespace(), req.ref)) };
      } catch (err) {
        if (!isBerthError(err)) throw err;
        throw new BerthError(err.code, `could not get status for ref ${goQuote(req.ref)}: ${err.message}`, { cause: err });
      }
    },

    async listStatuses(req, ctx) {
      return { statuses: (await store.listStatuses(ctx.namespace(), req.filters)).map(statusToProto) };
    },

    write(requests, ctx) {
      return writeSession(store, requests, ctx);
    },

    async abort(req, ctx) {
      await store.abort(ctx.namespace(), req.ref, leaseOf(ctx.metadata));
      return {};
    },
  };
}
