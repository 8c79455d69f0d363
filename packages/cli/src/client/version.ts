/**
 * API version negotiation as docker's client does it: ask GET /_ping, read the
 * Api-Version header, and speak the lower of the server's and our own; an
 * explicit DOCKER_API_VERSION (or BERTH_API_VERSION) wins without asking.
 */
export const CLIENT_API_VERSION = '1.45';
/** What docker assumes when a daemon's /_ping has no Api-Version header. */
const FALLBACK_API_VERSION = '1.24';

/** Compares "1.41"-style versions numerically, part by part. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function negotiate(serverVersion: string | undefined): string {
  const server = serverVersion && /^\d+\.\d+$/.test(serverVersion) ? serverVersion : FALLBACK_API_VERSION;
  return compareVersions(server, CLIENT_API_VERSION) < 0 ? server : CLIENT_API_VERSION;
}

export function pinnedVersion(env: NodeJS.ProcessEnv): string | undefined {
  const v = (env.BERTH_API_VERSION || env.DOCKER_API_VERSION || '').trim().replace(/^v/, '');
  return v || undefined;
}
