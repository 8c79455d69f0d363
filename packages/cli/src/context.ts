/** Global options (-H/--host, --debug, ...) turned into an API client. */
import { ApiClient } from './client/api.js';
import { chooseHost, parseHost } from './client/host.js';
import { clientTls, type TlsOptions } from './client/tls.js';
import { pinnedVersion } from './client/version.js';

export interface GlobalOptions extends TlsOptions {
  host?: string[] | undefined;
  debug?: boolean;
  logLevel?: string;
}

export function clientFor(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): ApiClient {
  if (opts.host && opts.host.length > 1) throw new Error('specify only one -H');
  const endpoint = parseHost(chooseHost({ flag: opts.host?.[0], env }));
  // docker reads the TLS files whatever the address; only tcp uses them
  const tls = clientTls(opts, env);
  return new ApiClient(endpoint.kind === 'tcp' && tls ? { ...endpoint, tls } : endpoint, pinnedVersion(env));
}
