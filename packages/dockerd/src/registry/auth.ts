/**
 * Registry credentials: the X-Registry-Auth header docker clients send
 * (base64url JSON of {username, password, identitytoken, registrytoken}), and
 * the answer to a 401 challenge: Basic credentials, or a Bearer token fetched
 * from the realm the registry names (the Distribution token flow).
 */
import { invalidArgument } from '@berth/errors';
import { plainHttpAllowed } from './settings.js';
import { registryFetch } from './tls.js';

export interface Credentials {
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export function decodeAuthHeader(header: string | undefined): Credentials {
  if (!header) return {};
  try {
    const text = Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const doc = JSON.parse(text) as Record<string, unknown>;
    const pick = (k: string) => (typeof doc[k] === 'string' && doc[k] !== '' ? { [k]: doc[k] as string } : {});
    return { ...pick('username'), ...pick('password'), ...pick('identitytoken'), ...pick('registrytoken') };
  } catch {
    // dockerd ignores an auth header it cannot decode and pulls anonymously
    return {};
  }
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * A push's credentials: the X-Registry-Auth header, or (old clients) the
 * auth config as the JSON body; neither is moby's 400 "Bad parameters and
 * missing X-Registry-Auth: EOF".
 */
export function pushAuth(header: string | undefined, body: Buffer): Credentials {
  if (header) return decodeAuthHeader(header);
  try {
    const doc = JSON.parse(body.toString('utf8')) as unknown;
    if (doc && typeof doc === 'object') return decodeAuthHeader(Buffer.from(JSON.stringify(doc)).toString('base64'));
  } catch {
    // fall through to moby's error
  }
  throw invalidArgument(`Bad parameters and missing X-Registry-Auth: ${body.length ? 'invalid JSON' : 'EOF'}`);
}

export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const sp = header.indexOf(' ');
  const scheme = (sp < 0 ? header : header.slice(0, sp)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(sp + 1).matchAll(/(\w+)="([^"]*)"/g)) params[(m[1] ?? '').toLowerCase()] = m[2] ?? '';
  return { scheme, params };
}

export const basic = (c: Credentials): string | undefined =>
  c.username !== undefined ? `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}` : undefined;

/**
 * The Authorization header that answers `challenge` for `scopes`
 * (`repository:library/busybox:pull`, `...:pull,push`), if any can. With no
 * scopes (a login) the token server is only asked to check the credentials.
 */
export async function authorize(challenge: Challenge, creds: Credentials, scopes: string[]): Promise<string | undefined> {
  if (challenge.scheme === 'basic') return basic(creds);
  if (challenge.scheme !== 'bearer') return undefined;
  if (creds.registrytoken) return `Bearer ${creds.registrytoken}`;
  const doc = await fetchToken(challenge, creds, scopes);
  const token = doc?.token ?? doc?.access_token;
  return token ? `Bearer ${token}` : undefined;
}

interface TokenAnswer {
  token?: string;
  access_token?: string;
  refresh_token?: string;
}

/** <realm>?service=&scope=...: where a Bearer challenge sends us for a token. */
export function tokenUrl(challenge: Challenge, scopes: string[]): URL | undefined {
  const realm = challenge.params.realm;
  if (!realm) return undefined;
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  for (const s of scopes) url.searchParams.append('scope', s);
  return url;
}

/** GET the token URL with the credentials as Basic auth (the Distribution token flow). */
export async function fetchToken(challenge: Challenge, creds: Credentials, scopes: string[]): Promise<TokenAnswer | undefined> {
  const url = tokenUrl(challenge, scopes);
  if (!url) return undefined;
  const res = await registryFetch(url, { headers: realmAuthorization(url, creds) });
  if (!res.ok) {
    await res.body?.cancel();
    return undefined;
  }
  return (await res.json()) as TokenAnswer;
}

/**
 * The credentials for a token realm as Basic auth, unless the realm is plain
 * HTTP on a host that is neither loopback nor --insecure-registry: they are
 * never sent in the clear to the network (the token is then asked for anonymously).
 */
export function realmAuthorization(url: URL, creds: Credentials): Record<string, string> {
  const b = basic(creds);
  if (!b || (url.protocol === 'http:' && !plainHttpAllowed(url.host))) return {};
  return { Authorization: b };
}

/**
 * X-Registry-Config (docker build): base64url JSON of registry -> auth config
 * for every registry the client has credentials for. The credentials for the
 * registry of `domain` (keys are "host:port" or URLs such as
 * https://index.docker.io/v1/); none when there are none.
 */
export function credentialsFromConfigHeader(header: string | undefined, domain: string): Credentials {
  if (!header) return {};
  let map: Record<string, unknown>;
  try {
    map = JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
  const hostOf = (key: string): string => {
    const h = key.replace(/^[a-z]+:\/\//, '').split('/')[0] ?? '';
    return h === 'index.docker.io' || h === 'registry-1.docker.io' ? 'docker.io' : h;
  };
  const entry = Object.entries(map).find(([key]) => hostOf(key) === domain)?.[1];
  return entry && typeof entry === 'object' ? decodeAuthHeader(Buffer.from(JSON.stringify(entry)).toString('base64')) : {};
}
