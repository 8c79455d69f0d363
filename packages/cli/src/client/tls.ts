/**
 * The client side of TLS, read as docker's CLI reads it: --tlsverify (or a
 * non-empty DOCKER_TLS_VERIFY) turns TLS on and checks the daemon's
 * certificate against the CA; --tls alone turns it on without checking. The
 * files default to ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH, else
 * ~/.docker (DOCKER_CONFIG when set). The CA is always read when TLS is on;
 * a default cert or key that does not exist is left out, a named one must
 * exist; the client certificate is sent only when both are there. Errors use
 * docker's words, so scripts that match them keep working.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

export interface ClientTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Whether the daemon's certificate is checked (docker's --tlsverify). */
  verify: boolean;
}

export interface TlsOptions {
  tls?: boolean | undefined;
  tlsverify?: boolean | undefined;
  tlscacert?: string | undefined;
  tlscert?: string | undefined;
  tlskey?: string | undefined;
}

/** An error that stops the CLI before it talks to the daemon (docker's "Failed to initialize"). */
export class TlsInitError extends Error {
  constructor(detail: string) {
    super(`Failed to initialize: ${detail}`);
  }
}

export function certDir(env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_CERT_PATH) return env.DOCKER_CERT_PATH;
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
}

/** Go's os.ReadFile error text: "open PATH: no such file or directory". */
function read(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = /^[A-Z]+: (.*?), \w+ '/.exec(e.message)?.[1] ?? e.message;
    throw new TlsInitError(`unable to resolve berth endpoint: open ${file}: ${why}`);
  }
}

/** A default file that does not exist is no file; a named one must be read. */
function optional(named: string | undefined, fallback: string): Buffer | undefined {
  if (named !== undefined) return read(named);
  return fs.existsSync(fallback) ? read(fallback) : undefined;
}

/** undefined when TLS is off. */
export function clientTls(opts: TlsOptions, env: NodeJS.ProcessEnv): ClientTls | undefined {
  const verify = opts.tlsverify === true || (env.DOCKER_TLS_VERIFY ?? '') !== '';
  if (!verify && opts.tls !== true) return undefined;
  const dir = certDir(env);
  const ca = read(opts.tlscacert ?? path.join(dir, 'ca.pem'));
  const cert = optional(opts.tlscert, path.join(dir, 'cert.pem'));
  const key = optional(opts.tlskey, path.join(dir, 'key.pem'));
  try {
    new crypto.X509Certificate(ca);
  } catch {
    throw new TlsInitError('failed to retrieve context tls info: ca.pem seems invalid');
  }
  if (cert === undefined || key === undefined) return { ca, verify };
  if (!key.toString('latin1').includes('-----BEGIN ')) throw new TlsInitError('no valid private key found');
  try {
    tls.createSecureContext({ cert, key });
  } catch (err) {
    throw new TlsInitError(`failed to retrieve context tls info: ${(err as Error).message}`);
  }
  return { ca, cert, key, verify };
}
