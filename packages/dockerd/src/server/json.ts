/**
 * JSON responses as moby writes them: Content-Type exactly "application/json"
 * (the Go docker client only decodes an error body as JSON when the header is
 * exactly that, without "; charset=utf-8") and a trailing newline (json.Encoder).
 */
import type { Response } from 'express';

export function sendJson(res: Response, body: unknown, status = 200): void {
  res.status(status).setHeader('Content-Type', 'application/json');
  res.end(`${JSON.stringify(body)}\n`);
}
