/**
 * The API's TLS from dockerd's flags: --tls serves TLS with --tlscert and
 * --tlskey; --tlsverify (given at all, even =false, it turns TLS on, as in
 * dockerd) with true also requires every client to present a certificate
 * signed by --tlscacert, checked in the handshake. TLS 1.2 at least, as
 * dockerd's tlsconfig. Unlike dockerd there are no ~/.docker/*.pem defaults:
 * a daemon's keys are named on its command line. The files are read and the
 * key checked against the certificate now, so a mistake stops berthd at start.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import { invalidArgument } from '@berth/errors';
import type { Flags } from '../flags.js';

export interface ServerTls {
  options: tls.TlsOptions;
  /** Whether clients must present a certificate signed by the CA. */
  verify: boolean;
}

type TlsFlags = Pick<Flags, 'tls' | 'tlsVerify' | 'tlsCaCert' | 'tlsCert' | 'tlsKey'>;

function readPem(flag: string, file: string | undefined, why: string): Buffer {
  if (file === undefined || file === '') throw invalidArgument(`${why} needs --${flag} (berthd has no default certificate paths)`);
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw invalidArgument(`invalid TLS configuration: could not read --${flag} ${file}: ${(err as Error).message}`, err);
  }
}

/** undefined when TLS is off. */
export function serverTls(flags: TlsFlags): ServerTls | undefined {
  const enabled = flags.tls === true || flags.tlsVerify !== undefined;
  if (!enabled) return undefined;
  const verify = flags.tlsVerify === true;
  const why = verify ? '--tlsverify' : '--tls';
  const options: tls.TlsOptions = {
    cert: readPem('tlscert', flags.tlsCert, why),
    key: readPem('tlskey', flags.tlsKey, why),
    minVersion: 'TLSv1.2',
  };
  if (verify) {
    options.ca = readPem('tlscacert', flags.tlsCaCert, why);
    options.requestCert = true;
    options.rejectUnauthorized = true;
  }
  try {
    tls.createSecureContext(options);
  } catch (err) {
    throw invalidArgument(`invalid TLS configuration: ${(err as Error).message}`, err);
  }
  return { options, verify };
}
