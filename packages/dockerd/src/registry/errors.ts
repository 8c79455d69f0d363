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

/** OpenSSL's verification failures that Go reports as an unknown authority. */
const unknownAuthority = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** OpenSSL's alert names where Go words them otherwise. */
const alertText: Record<string, string> = { UNKNOWN_CA: 'unknown certificate authority' };

interface TlsCause {
  code?: string;
  message?: string;
  cert?: { subjectaltname?: string };
}

/**
 * A TLS handshake failure in Go's crypto/tls + crypto/x509 words, or
 * undefined when `cause` is not one: "tls: failed to verify certificate:
 * x509: certificate signed by unknown authority", "... x509: certificate is
 * valid for 10.0.0.2, not 10.0.0.1", and an HTTP server met with HTTPS.
 */
export function tlsDetail(cause: TlsCause | undefined, hostname: string): string | undefined {
  const code = cause?.code ?? '';
  const verify = (x509: string) => `tls: failed to verify certificate: x509: ${x509}`;
  if (unknownAuthority.has(code)) return verify('certificate signed by unknown authority');
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return verify('certificate has expired or is not yet valid');
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    // Go names the SANs of the kind the host is: IP addresses for an IP, DNS names otherwise
    const ip = /^[\d.]+$|:/.test(hostname);
    const sans = (cause?.cert?.subjectaltname ?? '').split(/,\s*/)
      .filter((s) => s.startsWith(ip ? 'IP Address:' : 'DNS:'))
      .map((s) => s.slice(s.indexOf(':') + 1));
    return verify(sans.length ? `certificate is valid for ${sans.join(', ')}, not ${hostname}` : `certificate is not valid for any names, but wanted to match ${hostname}`);
  }
  // a TLS alert from the server (a client certificate it wants, say): Go's "remote error: tls: <alert>"
  const alert = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(\w+)$/.exec(code)?.[1];
  if (alert) return `remote error: tls: ${alertText[alert] ?? alert.toLowerCase().replace(/_/g, ' ')}`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/.test(cause?.message ?? '')) {
    return 'http: server gave HTTP response to HTTPS client';
  }
  return undefined;
}

/** A fetch() failure as Go's `Get "url": dial tcp host:port: connect: connection refused`. */
export function transportError(url: string, err: unknown, method = 'Get'): BerthError {
  if (err instanceof BerthError) return err;
  const cause = (err as { cause?: TlsCause }).cause;
  const code = cause?.code ?? '';
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let detail: string;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') detail = `dial tcp: lookup ${u.hostname}: no such host`;
  else if (syscallText[code]) detail = `dial tcp ${u.hostname}:${port}: ${syscallText[code]}`;
  // the server hung up (a TLS 1.3 server refusing our certificate after the handshake): Go reads EOF
  else if (code === 'UND_ERR_SOCKET' && cause?.message === 'other side closed') detail = 'EOF';
  else detail = tlsDetail(cause, host) ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  // moby reports these as errdefs.Unknown: HTTP 500
  return internal(`${method} "${url}": ${detail}`);
}
