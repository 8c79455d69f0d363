/** Query and body helpers shared by the routers: docker's boolean query values and the JSON body. */
import type { Request } from 'express';
import { invalidArgument } from '@berth/errors';

export const truthy = (v: unknown): boolean => v === '1' || v === 'true' || v === 'True' || v === 'yes';
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function intParam(v: unknown, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw invalidArgument(`invalid value for ${name}: ${String(v)}`);
  return n;
}

function parseJson(text: string): Record<string, unknown> {
  if (text === '' || text === 'null') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw invalidArgument(`invalid JSON: ${(err as Error).message}`);
  }
}

export function readJsonBody(req: Request): Promise<Record<string, unknown>> {
  // an upgraded (hijacked) request's body was taken off the socket by routeUpgrade
  const taken = (req as Request & { berthBody?: Buffer }).berthBody;
  if (taken !== undefined) return Promise.resolve().then(() => parseJson(taken.toString('utf8').trim()));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8').trim();
      if (text === '' || text === 'null') return resolve({});
      try {
        const v = JSON.parse(text) as unknown;
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch (err) {
        reject(invalidArgument(`invalid JSON: ${(err as Error).message}`));
      }
    });
  });
}

export function idParam(req: Request): string {
  const p = (req.params as Record<string, string | undefined>).id;
  return p ?? '';
}
