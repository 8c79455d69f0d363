/** POST /auth: docker login's credential check against a registry (registry/login.ts). */
import { Router } from 'express';
import { login, type AuthConfig } from '../registry/login.js';
import { sendJson } from '../server/json.js';
import { readJsonBody } from './params.js';

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function authRoutes(): Router {
  const r = Router();
  r.post('/auth', async (req, res) => {
    const body = await readJsonBody(req);
    const cfg: AuthConfig = {};
    for (const k of ['username', 'password', 'serveraddress', 'identitytoken'] as const) {
      const v = text(body[k]);
      if (v !== undefined) cfg[k] = v;
    }
    sendJson(res, await login(cfg));
  });
  return r;
}
