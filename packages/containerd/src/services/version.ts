/** containerd.services.version.v1.Version: the daemon's version and revision (ctr version). */
import { Version } from '../gen/containerd/services/version/v1/version_pb.js';
import type { ImplOf } from '../grpc/types.js';

export interface VersionInfo {
  version: string;
  revision: string;
}

export function versionService(info: VersionInfo): ImplOf<typeof Version> {
  return {
    version: () => ({ version: info.version, revision: info.revision }),
  };
}
