/**
 * Registry credentials: the X-Registry-Auth header docker clients send
 * (base64url JSON of {username, password, identitytoken, registrytoken}), and
 * the answer to a 401 challenge: Basic credentials, or a Bearer token fetched
 * from the realm the registry names (the Distribution token flow).
 */
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

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const sp = header.indexOf(' ');
  const scheme = (sp < 0 ? header : header.slice(0, sp)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(sp + 1).matchAll(/(\w+)="([^"]*)"/g)) params[(m[1] ?? '').toLowerCase()] = m[2] ?? '';
  return { scheme, params };
}

const basic = (c: Credentials): string | undefined =>
  c.username !== undefined ? `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}` : undefined;

/** The Authorization header that answers `challenge` for pulling `repoPath`, if any can. */
export async function authorize(challenge: Challenge, creds: Credentials, repoPath: string): Promise<string | undefined> {
  if (challenge.scheme === 'basic') return basic(creds);
  if (challenge.scheme !== 'bearer') return undefined;
  if (creds.registrytoken) return `Bearer ${creds.registrytoken}`;
  const realm = challenge.params.realm;
  if (!realm) return undefined;
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  url.searchParams.set('scope', challenge.params.scope ?? `repository:${repoPath}:pull`);
  const headers: Record<string, string> = {};
  const b = basic(creds);
  if (b) headers.Authorization = b;
  const res = await fetch(url, { headers });
  if (!res.ok) return undefined;
  const doc = (await res.json()) as { token?: string; access_token?: string };
  const token = doc.token ?? doc.access_token;
  return token ? `Bearer ${token}` : undefined;
}
