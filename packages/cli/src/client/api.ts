/**
 * The Engine API client the commands use: negotiates the version once, then
 * sends /v1.xx/... requests and turns error responses into docker's
 * "Error response from daemon: <message>" with the error kind of the status.
 */
import { BerthError, httpStatusOf, type ErrorCode } from '@berth/errors';
import type { Endpoint } from './host.js';
import { request, type RequestOptions } from './http.js';
import { negotiate } from './version.js';

export class ApiClient {
  private version: string | undefined;

  constructor(
    readonly endpoint: Endpoint,
    pinned?: string,
  ) {
    this.version = pinned;
  }

  /** The API version requests use, asking /_ping the first time. */
  async apiVersion(): Promise<string> {
    if (!this.version) {
      const res = await request(this.endpoint, '/_ping');
      const header = res.headers['api-version'];
      this.version = negotiate(Array.isArray(header) ? header[0] : header);
    }
    return this.version;
  }

  async getJson<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return JSON.parse(await this.send(path, opts)) as T;
  }

  /** Sends a request; the body as text, or docker's error for a 4xx/5xx status. */
  async send(path: string, opts: RequestOptions = {}): Promise<string> {
    const v = await this.apiVersion();
    const res = await request(this.endpoint, `/v${v}${path}`, opts);
    const text = res.body.toString('utf8');
    if (res.status >= 400) throw apiError(res.status, text);
    return text;
  }
}

/** The error kind for an HTTP status: the inverse of @berth/errors' table (409 is moby's Conflict). */
function codeForStatus(status: number): ErrorCode {
  const found = (Object.entries(httpStatusOf) as [ErrorCode, number][]).reverse().find(([, s]) => s === status);
  return found ? found[0] : 'Internal';
}

export function apiError(status: number, body: string): BerthError {
  let message = body.trim();
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: docker shows the body as it came
  }
  if (!message) message = `${status} ${status === 404 ? 'page not found' : 'error'}`;
  return new BerthError(codeForStatus(status), `Error response from daemon: ${message}`);
}
