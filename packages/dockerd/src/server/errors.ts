/**
 * Errors as dockerd writes them: `{"message": ...}` with the status from the one
 * error vocabulary (@berth/errors httpStatusOf, moby's errdefs table); unknown
 * routes get moby's 404 "page not found".
 */
import type { NextFunction, Request, Response } from 'express';
import { errorCodeOf, httpStatusOf, isBerthError } from '@berth/errors';
import type { Logger } from '@berth/containerd/log';
import { sendJson } from './json.js';

export function notFoundHandler(_req: Request, res: Response): void {
  sendJson(res, { message: 'page not found' }, 404);
}

/** Express errors (body parsing and the like) carry their own 4xx status. */
function statusOf(err: unknown): number {
  if (isBerthError(err)) return httpStatusOf[err.code];
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 600) return status;
  return httpStatusOf[errorCodeOf(err)];
}

export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const status = statusOf(err);
    const message = err instanceof Error ? err.message : String(err);
    if (status >= 500) log.error('request failed', { method: req.method, path: req.originalUrl, status, error: err });
    else log.debug('request refused', { method: req.method, path: req.originalUrl, status, message });
    sendJson(res, { message }, status);
  };
}
