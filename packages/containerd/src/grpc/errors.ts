/**
 * The one boundary between Berth's error vocabulary and gRPC statuses.
 *
 * Server side: a thrown BerthError becomes its status code (grpcStatusOf) with
 * its message plus containerd's errdefs suffix (": not found", ...), exactly as
 * containerd's errdefs.ToGRPC writes it; Go clients strip the suffix again
 * (errdefs.FromGRPC), so `ctr` prints what it prints against containerd.
 * Anything else is Internal. Client side: the inverse.
 */
import { status as Status, Metadata, type StatusObject } from '@grpc/grpc-js';
import { BerthError, errorCodeOf, grpcStatusOf, type ErrorCode } from '@berth/errors';

/** containerd's errdefs error strings (1.6), appended to messages on the wire. */
const suffixOf: Partial<Record<ErrorCode, string>> = {
  NotFound: 'not found',
  AlreadyExists: 'already exists',
  InvalidArgument: 'invalid argument',
  FailedPrecondition: 'failed precondition',
  Conflict: 'conflict',
  Unavailable: 'unavailable',
  NotImplemented: 'not implemented',
};

export function toGrpcStatus(err: unknown): StatusObject {
  const code = errorCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const suffix = suffixOf[code];
  const details =
    suffix === undefined || message === suffix || message.endsWith(`: ${suffix}`)
      ? message
      : message === ''
        ? suffix
        : `${message}: ${suffix}`;
  return { code: grpcStatusOf[code], details, metadata: new Metadata() };
}

const codeOfStatus = new Map<number, ErrorCode>(
  Object.entries(grpcStatusOf).map(([code, status]) => [status, code as ErrorCode]),
);

/** A gRPC error as seen by a client, back to a BerthError (with the error as cause). */
export function fromGrpcError(err: unknown): BerthError {
  if (err instanceof BerthError) return err;
  const status = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : Status.UNKNOWN;
  const details = (err as { details?: unknown }).details;
  const message = typeof details === 'string' ? details : err instanceof Error ? err.message : String(err);
  const code =
    codeOfStatus.get(status) ??
    (status === Status.DEADLINE_EXCEEDED || status === Status.CANCELLED ? 'Unavailable' : 'Internal');
  const suffix = suffixOf[code];
  const trimmed = suffix !== undefined && message.endsWith(`: ${suffix}`) ? message.slice(0, -suffix.length - 2) : message;
  return new BerthError(code, trimmed, { cause: err });
}

/** What grpc-go's generated Unimplemented* servers answer for a method not served. */
export function unimplemented(method: string): StatusObject {
  return { code: Status.UNIMPLEMENTED, details: `method ${method} not implemented`, metadata: new Metadata() };
}
