/**
 * POST /auth (docker login): checks credentials against a registry's /v2/
 * with the same challenge flow pulls and pushes use. No challenge (an open
 * registry) or a 200 with the answer to it -> "Login Succeeded"; a Bearer
 * challenge first gets a token from the realm with the credentials as Basic
 * auth (no scope: the token server only checks who is asking). Failures are
 * dockerd's words: "login attempt to <url> failed with status: 401
 * Unauthorized", or the token server's errcode. The credentials are never
 * logged nor put in an error.
 */
import { invalidArgument } from '@berth/errors';
import { basic, parseChallenge, realmAuthorization, tokenUrl, type Challenge, type Credentials } from './auth.js';
import { registryBase } from './client.js';
import { probeRegistry } from './endpoint.js';
import { transportError } from './errors.js';
import { registryFetch } from './tls.js';

export interface AuthConfig {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
}

export interface LoginAnswer {
  Status: string;
  IdentityToken: string;
}

/** moby answers a refused login with errdefs.Unauthorized: HTTP 401 (no such kind in @berth/errors). */
const unauthorized = (message: string): Error => Object.assign(new Error(message), { status: 401 });

/** "https://index.docker.io/v1/", "http://127.0.0.1:5000", "127.0.0.1:5000/" -> the registry's domain. */
export function loginDomain(serverAddress: string | undefined): string {
  const bare = (serverAddress ?? '').trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (bare === '' || bare === 'index.docker.io' || bare === 'registry-1.docker.io' || bare === 'docker.io') return 'docker.io';
  if (!/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(bare)) throw invalidArgument(`invalid registry address: ${bare}`);
  return bare;
}

export async function login(cfg: AuthConfig): Promise<LoginAnswer> {
  const domain = loginDomain(cfg.serveraddress);
  await probeRegistry(domain);
  const url = `${registryBase(domain)}/v2/`;
  const creds: Credentials = {
    ...(cfg.username ? { username: cfg.username } : {}),
    ...(cfg.password ? { password: cfg.password } : {}),
  };
  const get = async (headers: Record<string, string>): Promise<Response> => {
    try {
      return await registryFetch(url, { headers, redirect: 'follow' });
    } catch (err) {
      throw transportError(url, err);
    }
  };
  const first = await get({});
  await first.body?.cancel();
  const ok = { Status: 'Login Succeeded', IdentityToken: '' };
  if (first.ok) return ok;
  const failed = (res: Response) => unauthorized(`login attempt to ${url} failed with status: ${res.status} ${res.statusText}`);
  if (first.status !== 401) throw failed(first);
  const challenge = parseChallenge(first.headers.get('www-authenticate')) ?? { scheme: '', params: {} };
  const authorization = await answer(challenge, creds, url);
  const second = await get({ Authorization: authorization });
  await second.body?.cancel();
  if (second.ok) return ok;
  throw failed(second);
}

/** The token server's refusal as docker/distribution words it: `{"details"}` or an errcode body, else "authentication required". */
async function refusal(res: Response): Promise<string> {
  const body = await res.text().catch(() => '');
  try {
    const doc = JSON.parse(body) as { details?: string; errors?: Array<{ code?: string; message?: string }> };
    if (doc.details) return `unauthorized: ${doc.details}`;
    const e = doc.errors?.[0];
    if (e?.code) return `${e.code.toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`;
  } catch {
    // not JSON
  }
  return 'unauthorized: authentication required';
}

/** The Authorization header for the second /v2/ request: Basic, or a token the realm gives for these credentials. */
async function answer(challenge: Challenge, creds: Credentials, url: string): Promise<string> {
  const b = basic(creds);
  if (challenge.scheme === 'basic' && b) return b;
  const tokenAt = challenge.scheme === 'bearer' ? tokenUrl(challenge, []) : undefined;
  if (!tokenAt) throw unauthorized(`Get "${url}": unauthorized: authentication required`);
  let res: Response;
  try {
    res = await registryFetch(tokenAt, { headers: realmAuthorization(tokenAt, creds) });
  } catch (err) {
    throw transportError(tokenAt.toString(), err);
  }
  if (!res.ok) throw unauthorized(`Get "${url}": ${await refusal(res)}`);
  const doc = (await res.json()) as { token?: string; access_token?: string };
  const token = doc.token ?? doc.access_token;
  if (!token) throw unauthorized(`Get "${url}": unauthorized: authentication required`);
  return `Bearer ${token}`;
}
