/**
 * Docker's words for a TLS connection that failed, from node:tls's errors:
 * `error during connect: Get "https://host:port/path": <reason>`, the reason
 * in Go's crypto/tls terms ("remote error: tls: certificate required", "tls:
 * failed to verify certificate: ...").
 */
import { unavailable } from '@berth/errors';

/** OpenSSL's alert codes (ERR_SSL_..._ALERT_<NAME>) in Go's alert wording. */
const alertWords: Record<string, string> = {
  UNKNOWN_CA: 'unknown certificate authority',
  BAD_CERTIFICATE: 'bad certificate',
  CERTIFICATE_REQUIRED: 'certificate required',
  CERTIFICATE_EXPIRED: 'expired certificate',
  CERTIFICATE_REVOKED: 'revoked certificate',
  UNSUPPORTED_CERTIFICATE: 'unsupported certificate',
  PROTOCOL_VERSION: 'protocol version not supported',
  HANDSHAKE_FAILURE: 'handshake failure',
};

/** Node's verification failures of the daemon's certificate. */
const verifyCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE',
]);

function reason(err: NodeJS.ErrnoException): string | undefined {
  const code = err.code ?? '';
  const alert = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(.+)$/.exec(code)?.[1];
  if (alert !== undefined) return `remote error: tls: ${alertWords[alert] ?? alert.toLowerCase().replace(/_/g, ' ')}`;
  if (verifyCodes.has(code)) {
    const unknownAuthority = code !== 'ERR_TLS_CERT_ALTNAME_INVALID' && !code.startsWith('CERT_');
    return `tls: failed to verify certificate: ${unknownAuthority ? 'x509: certificate signed by unknown authority' : err.message}`;
  }
  if (code.startsWith('ERR_SSL_')) return `tls: ${err.message.replace(/^.*routines:[^:]*:([^:]+):.*$/s, '$1')}`;
  // node:tls servers check a client's certificate after the handshake and then hang up, with no alert
  if (code === 'ECONNRESET') return 'the daemon closed the TLS connection (does its --tlscacert sign the client certificate?)';
  return undefined;
}

/** docker's error for a failed TLS request, or undefined when `err` is no TLS failure. */
export function tlsConnectError(url: string, method: string, err: NodeJS.ErrnoException): Error | undefined {
  const why = reason(err);
  if (why === undefined) return undefined;
  const verb = method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
  return unavailable(`error during connect: ${verb} "${url}": ${why}`, err);
}
