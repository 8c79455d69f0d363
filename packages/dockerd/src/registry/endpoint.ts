/**
 * Which scheme an --insecure-registry is reached with. Docker tries HTTPS
 * first (without checking the certificate) and falls back to plain HTTP
 * when no TLS server answers; the answer is remembered for the host until
 * the next probe (every pull, push, login and search probes again, so a
 * registry that changes its mind is followed). Loopback registries are plain
 * HTTP and every other registry HTTPS with checks, with no probe.
 */
import { isInsecureRegistry, isLoopbackRegistry } from './settings.js';
import { registryFetch } from './tls.js';

const schemes = new Map<string, 'https' | 'http'>();

/** How long a TLS answer may take before the registry is taken for plain HTTP. */
const probeTimeoutMs = 15_000;

/** Probes an insecure registry's scheme (no-op for the others); before building its URLs. */
export async function probeRegistry(host: string): Promise<void> {
  if (isLoopbackRegistry(host) || !isInsecureRegistry(host)) return;
  try {
    const res = await registryFetch(`https://${host}/v2/`, { signal: AbortSignal.timeout(probeTimeoutMs) });
    await res.body?.cancel();
    schemes.set(host, 'https');
  } catch {
    schemes.set(host, 'http');
  }
}

/** The scheme for `host` (as in a reference: host[:port]). */
export function registryScheme(host: string): 'https' | 'http' {
  if (isLoopbackRegistry(host)) return 'http';
  if (!isInsecureRegistry(host)) return 'https';
  return schemes.get(host) ?? 'http';
}
