/**
 * The one error vocabulary shared by every Berth layer (containerd's errdefs and
 * moby's errdefs agree on these kinds). Layers wrap lower errors with `cause`
 * instead of inventing new kinds; exactly one table maps a kind to a gRPC status
 * code and one to an HTTP status.
 */
export const ErrorCodes = [
  'NotFound',
  'AlreadyExists',
  'InvalidArgument',
  'FailedPrecondition',
  'Conflict',
  'Forbidden',
  'Unavailable',
  'NotImplemented',
  'Internal',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export class BerthError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = `BerthError(${code})`;
  }
}

const make =
  (code: ErrorCode) =>
  (message: string, cause?: unknown): BerthError =>
    new BerthError(code, message, cause === undefined ? undefined : { cause });

export const notFound = make('NotFound');
export const alreadyExists = make('AlreadyExists');
export const invalidArgument = make('InvalidArgument');
export const failedPrecondition = make('FailedPrecondition');
export const conflict = make('Conflict');
/** moby's errdefs.Forbidden: allowed in general, not to this object (a predefined network, one in use). */
export const forbidden = make('Forbidden');
export const unavailable = make('Unavailable');
export const notImplemented = make('NotImplemented');
export const internal = make('Internal');

export function isBerthError(err: unknown, code?: ErrorCode): err is BerthError {
  return err instanceof BerthError && (code === undefined || err.code === code);
}

/** The kind of any thrown value: BerthErrors keep theirs, anything else is Internal. */
export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof BerthError ? err.code : 'Internal';
}

/** gRPC status codes (google.rpc.Code), as containerd's errdefs maps them. */
export const grpcStatusOf: Record<ErrorCode, number> = {
  NotFound: 5,
  AlreadyExists: 6,
  InvalidArgument: 3,
  FailedPrecondition: 9,
  Conflict: 10, // ABORTED
  Forbidden: 7, // PERMISSION_DENIED
  Unavailable: 14,
  NotImplemented: 12,
  Internal: 13,
};

/** HTTP statuses, as moby's errdefs/http_helpers maps them. */
export const httpStatusOf: Record<ErrorCode, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  InvalidArgument: 400,
  FailedPrecondition: 409,
  Conflict: 409,
  Forbidden: 403,
  Unavailable: 503,
  NotImplemented: 501,
  Internal: 500,
};
