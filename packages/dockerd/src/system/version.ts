/**
 * GET /version: moby's types.Version, with the Engine, containerd (from
 * berth-containerd's Version service) and runc components, so `docker version`
 * prints a full Server section.
 */
import os from 'node:os';
import { apiVersion, minApiVersion } from '../api-version.js';
import { quickCall, type Containerd } from '../containerd.js';
import { buildTime, engineVersion, gitCommit } from '../gen/build-info.js';
import { goArch, kernelVersion } from './host.js';
import { runtimeVersion } from './runtime.js';

export interface ComponentVersion {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

export interface VersionResponse {
  Platform: { Name: string };
  Components: ComponentVersion[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  /** The runtime berthd runs on, in Go's "go1.22.5" shape: "node24.21.0". */
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  BuildTime: string;
}

export const platformName = 'Berth Engine';
export const runtimeName = `node${process.versions.node}`;

export async function versionResponse(containerd: Containerd): Promise<VersionResponse> {
  const [ctrd, runc] = await Promise.all([
    containerd.version.version({}, quickCall).catch(() => undefined),
    runtimeVersion(),
  ]);
  const engine: ComponentVersion = {
    Name: 'Engine',
    Version: engineVersion,
    Details: {
      ApiVersion: apiVersion,
      Arch: goArch(),
      BuildTime: buildTime,
      Experimental: 'false',
      GitCommit: gitCommit,
      GoVersion: runtimeName,
      KernelVersion: kernelVersion(),
      MinAPIVersion: minApiVersion,
      Os: os.platform(),
    },
  };
  const components: ComponentVersion[] = [engine];
  if (ctrd) components.push({ Name: 'containerd', Version: ctrd.version, Details: { GitCommit: ctrd.revision } });
  if (runc) components.push({ Name: 'runc', Version: runc.version, Details: { GitCommit: runc.commit } });
  return {
    Platform: { Name: platformName },
    Components: components,
    Version: engineVersion,
    ApiVersion: apiVersion,
    MinAPIVersion: minApiVersion,
    GitCommit: gitCommit,
    GoVersion: runtimeName,
    Os: os.platform(),
    Arch: goArch(),
    KernelVersion: kernelVersion(),
    BuildTime: buildTime,
  };
}
