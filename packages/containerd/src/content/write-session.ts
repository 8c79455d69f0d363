/**
 * The Write stream of the content service (contentserver.go Write), as ctr
 * and containerd's remote content writer drive it:
 *
 *   STAT  {ref, total, expected}   opens or resumes the ingest, answers its offset
 *   WRITE {offset, data}           appends at the current offset (offset 0 restarts)
 *   COMMIT{total, expected, labels} verifies and commits; the stream ends
 *
 * One response per request. The response object is kept from one request
 * to the next, as containerd's is (a WRITE answer still carries the STAT's
 * times). The writer is closed (ingest kept, ref unlocked) however the
 * stream ends, client cancellation included.
 */
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { alreadyExists, failedPrecondition, invalidArgument } from '@berth/errors';
import {
  WriteAction,
  type WriteContentRequest,
  type WriteContentResponse,
} from '../gen/containerd/services/content/v1/content_pb.js';
import type { CallContext } from '../grpc/types.js';
import { leaseOf } from '../leases/resources.js';
import type { ContentStore } from './store.js';
import type { NamespacedWriter } from './writer.js';

type Response = Omit<WriteContentResponse, '$typeName' | '$unknown'>;

/** The next request, or undefined at the end of the stream or when the call is cancelled. */
async function next(it: AsyncIterator<WriteContentRequest>, signal: AbortSignal): Promise<WriteContentRequest | undefined> {
  if (signal.aborted) return undefined;
  let onAbort!: () => void;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const r = await Promise.race([it.next(), aborted]);
    return r === undefined || r.done === true ? undefined : r.value;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** A size from the wire; zero or less means unknown, as in containerd. */
const sizeOf = (n: bigint, what: string): number => {
  if (n <= 0n) return 0;
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidArgument(`${what} ${n} out of range`);
  return Number(n);
};

export async function* writeSession(
  store: ContentStore,
  requests: AsyncIterable<WriteContentRequest>,
  ctx: CallContext,
): AsyncGenerator<Response> {
  const ns = ctx.namespace();
  const it = requests[Symbol.asyncIterator]();
  let req = await next(it, ctx.signal);
  if (req === undefined) return;
  const ref = req.ref;
  if (ref === '') throw invalidArgument('first message must have a reference');
  let total = sizeOf(req.total, 'total');
  let expected = req.expected;
  const log = ctx.log.with({ ref, ...(total > 0 ? { total } : {}), ...(expected !== '' ? { expected } : {}) });
  log.debug('(*service).Write started');

  const wr: NamespacedWriter = await store.writer(ns, { ref, total, expected }, leaseOf(ctx.metadata));
  const msg: Response = { action: WriteAction.STAT, offset: 0n, total: 0n, digest: '' };
  try {
    for (;;) {
      msg.action = req.action;
      const ws = wr.status();
      msg.offset = BigInt(ws.offset);
      if (req.expected !== '') {
        expected = req.expected;
        if (await store.has(ns, req.expected)) {
          await wr.close();
          await store.abort(ns, ref).catch((err: unknown) => log.error('failed to abort write', { error: err }));
          throw alreadyExists(`blob with expected digest ${req.expected} exists`);
        }
      }
      if (req.total > 0n) total = sizeOf(req.total, 'total');

      switch (req.action) {
        case WriteAction.STAT:
          msg.digest = wr.digest();
          msg.startedAt = timestampFromDate(ws.startedAt);
          msg.updatedAt = timestampFromDate(ws.updatedAt);
          msg.total = BigInt(total);
          break;
        case WriteAction.WRITE:
        case WriteAction.COMMIT: {
          // A negative offset is no offset (containerd neither checks nor truncates then).
          // containerd answers OutOfRange for a wrong one; Berth's vocabulary has no such kind.
          if (req.offset > 0n && req.offset !== BigInt(ws.offset)) {
            throw invalidArgument(`write @${req.offset} must occur at current offset ${ws.offset}`);
          }
          if (req.offset === 0n && ws.offset > 0) {
            await wr.truncate(0);
            msg.offset = 0n;
          }
          if (req.data.length > 0) {
            const n = await wr.write(req.data);
            if (n !== req.data.length) throw failedPrecondition(`wrote ${n} of ${req.data.length} bytes`);
            msg.offset += BigInt(n);
          }
          if (req.action === WriteAction.COMMIT) await wr.commit(total, expected, req.labels);
          msg.digest = wr.digest();
          break;
        }
        default:
          throw invalidArgument(`unknown write action ${String(req.action)}`);
      }
      yield { ...msg };
      if (req.action === WriteAction.COMMIT) return;
      const following = await next(it, ctx.signal);
      if (following === undefined) return;
      req = following;
    }
  } finally {
    await wr.close();
  }
}
