/**
 * Registry failures in dockerd's words (moby distribution/errors.go): the
 * Distribution API's error codes become "manifest for X not found: manifest
 * unknown: ...", "repository X not found: ...", "pull access denied ...", and a
 * registry that cannot be reached reads like Go's net/http error.
 */
import { BerthError, internal, notFound } from '@berth/errors';

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

export function registryError(status: number, body: string, ref: RefNames): BerthError {
  let first: { code?: string; message?: string } | undefined;
  try {
    first = (JSON.parse(body) as RegistryErrorBody).errors?.[0];
  } catch {
    first = undefined;
  }
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
export function transportError(url: string, err: unknown): BerthError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  let detail: string;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') detail = `dial tcp: lookup ${u.hostname}: no such host`;
  else if (syscallText[code]) detail = `dial tcp ${u.hostname}:${port}: ${syscallText[code]}`;
  else detail = cause?.message ?? (err instanceof Error ? err.message : String(err));
  // moby reports these as errdefs.Unknown: HTTP 500
  return internal(`Get "${url}": ${detail}`);
}
