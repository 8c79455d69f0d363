/**
 * Registry failures in dockerd's words (moby distribution/errors.go): the
 * Distribution API's error codes become "manifest for X not found: manifest
 * unknown: ...", "repository X not found: ...", "pull access denied ...", and a
 * registry that cannot be reached reads like Go's net/http error.
 */
import { BerthError, internal, notFound } from '@berth/errors';
import { parseChallenge } from './auth.js';

export interface RegistryErrorBody {
  errors?: Array<{ code?: string; message?: string }>;
}

/** errcode.ErrorCode.Error(): the code lower-cased with spaces ("MANIFEST_UNKNOWN" -> "manifest unknown"). */
const codeText = (code: string): string => code.toLowerCase().replace(/_/g, ' ');

/** What the reference is called in messages: FamiliarString and FamiliarName. */
export interface RefNames {
  familiar: string;
  familiarName: string;
}

/**
 * The first cause of a refusal, ranked as docker/distribution ranks them: a
 * Bearer challenge's error parameter (insufficient_scope -> DENIED,
 * invalid_token -> UNAUTHORIZED), then the errcode body, then a bare 401 as
 * UNAUTHORIZED "authentication required".
 */
export function firstCause(status: number, body: string, wwwAuthenticate: string | null): { code?: string; message?: string } | undefined {
  const challenge = parseChallenge(wwwAuthenticate);
  if (status >= 400 && status < 500 && challenge?.scheme === 'bearer') {
    const desc = challenge.params.error_description;
    if (challenge.params.error === 'insufficient_scope') return { code: 'DENIED', message: desc || 'requested access to the resource is denied' };
    if (challenge.params.error === 'invalid_token') return { code: 'UNAUTHORIZED', message: desc || 'authentication required' };
  }
  try {
    const first = (JSON.parse(body) as RegistryErrorBody).errors?.[0];
    if (first?.code) return first;
  } catch {
    // not an errcode body
  }
  return status === 401 ? { code: 'UNAUTHORIZED', message: 'authentication required' } : undefined;
}

export function registryError(status: number, body: string, ref: RefNames, wwwAuthenticate: string | null = null): BerthError {
  const first = firstCause(status, body, wwwAuthenticate);
  if (!first?.code) {
    const text = body.trim() || `${status}`;
    if (status === 404) return notFound(`manifest for ${ref.familiar} not found: manifest unknown: ${text}`);
    return internal(`unexpected status from registry: ${status}: ${text}`);
  }
  const cause = `${codeText(first.code)}: ${first.message ?? ''}`;
  switch (first.code) {
    case 'MANIFEST_UNKNOWN':
      return notFound(`manifest for ${ref.familiar} not found: ${cause}`);
    case 'NAME_UNKNOWN':
      return notFound(`repository ${ref.familiarName} not found: ${cause}`);
    case 'DENIED':
      return notFound(`pull access denied for ${ref.familiarName}, repository does not exist or may require 'docker login': ${cause}`);
    case 'UNAUTHORIZED':
      // moby answers 401 here; the error vocabulary has no such kind, so 500 with the same words
      return internal(`unauthorized: ${first.message ?? ''}`);
    default:
      return internal(cause);
  }
}

const syscallText: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  ECONNRESET: 'read: connection reset by peer',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ETIMEDOUT: 'i/o timeout',
};

/** A fetch() failure as Go's `Get "url": dial tcp host:port: connect: connection refused`. */
export function transportError(url: string, err: unknown, method = 'Get'): BerthError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  let detail: string;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') detail = `dial tcp: lookup ${u.hostname}: no such host`;
  else if (syscallText[code]) detail = `dial tcp ${u.hostname}:${port}: ${syscallText[code]}`;
  else detail = cause?.message ?? (err instanceof Error ? err.message : String(err));
  // moby reports these as errdefs.Unknown: HTTP 500
  return internal(`${method} "${url}": ${detail}`);
}
