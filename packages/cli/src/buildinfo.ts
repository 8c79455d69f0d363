/**
 * What `berth version` reports about the client. The bundler (bundle.mjs)
 * fills in the commit and build time; unbundled builds say "unknown".
 */
import { CLIENT_API_VERSION } from './client/version.js';

export const CLIENT_VERSION = '0.1.0';

/** Go's GOARCH names for Node's process.arch, as docker's OS/Arch shows them. */
const goArch: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

export interface ClientInfo {
  Version: string;
  ApiVersion: string;
  DefaultAPIVersion: string;
  GitCommit: string;
  NodeVersion: string;
  Os: string;
  Arch: string;
  BuildTime: string;
  Context: string;
}

export function clientInfo(apiVersion: string): ClientInfo {
  return {
    Version: CLIENT_VERSION,
    ApiVersion: apiVersion,
    DefaultAPIVersion: CLIENT_API_VERSION,
    GitCommit: process.env.BERTH_BUILD_COMMIT ?? 'unknown',
    NodeVersion: process.version,
    Os: process.platform,
    Arch: goArch[process.arch] ?? process.arch,
    BuildTime: process.env.BERTH_BUILD_TIME ?? 'unknown',
    Context: 'default',
  };
}
