/** One debug line per request (method, path, status, duration), like dockerd -D. */
import type { RequestHandler } from 'express';
import type { Logger } from '@berth/containerd/log';

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const path = req.originalUrl;
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log.debug('request', { method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 });
    });
    next();
  };
}
