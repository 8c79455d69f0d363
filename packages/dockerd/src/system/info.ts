/**
 * GET /info: moby's system.Info with the fields the docker CLI prints, filled
 * from the host, the daemon's settings and berthd's containerd namespace.
 */
import os from 'node:os';
import { engineVersion } from '../gen/build-info.js';
import { quickCall, type Containerd } from '../containerd.js';
import { counts } from './counts.js';
import { cgroupVersion, kernelVersion, machine, operatingSystem, osVersion } from './host.js';
import { defaultRuntimeName, findOnPath, runtimeBinary, runtimeVersion } from './runtime.js';
import { registrySettings } from '../registry/settings.js';

export interface DaemonSettings {
  id: string;
  dataRoot: string;
  execRoot: string;
  debug: boolean;
}

/** The info object; typed loosely on purpose: it is JSON for clients, and moby's shape is large. */
export type InfoResponse = Record<string, unknown>;

export async function infoResponse(containerd: Containerd, settings: DaemonSettings): Promise<InfoResponse> {
  const [n, runc, ctrd] = await Promise.all([
    counts(containerd),
    runtimeVersion(),
    containerd.version.version({}, quickCall).catch(() => undefined),
  ]);
  const cpus = os.availableParallelism();
  return {
    ID: settings.id,
    Containers: n.containers,
    ContainersRunning: n.running,
    ContainersPaused: n.paused,
    ContainersStopped: n.stopped,
    Images: n.images,
    Driver: 'overlayfs',
    DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']],
    Plugins: {
      Volume: ['local'],
      Network: ['bridge', 'host', 'null'],
      Authorization: null,
      Log: ['json-file'],
    },
    MemoryLimit: true,
    SwapLimit: cgroupVersion() === '2',
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    BridgeNfIptables: false,
    BridgeNfIp6tables: false,
    Debug: settings.debug,
    NFd: 0,
    OomKillDisable: cgroupVersion() === '1',
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: cgroupVersion(),
    NEventsListener: 0,
    KernelVersion: kernelVersion(),
    OperatingSystem: operatingSystem(),
    OSVersion: osVersion(),
    OSType: 'linux',
    Architecture: machine(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: null,
      AllowNondistributableArtifactsHostnames: null,
      InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8', ...registrySettings().insecure.filter((e) => e.includes('/'))],
      IndexConfigs: {
        'docker.io': { Name: 'docker.io', Mirrors: registrySettings().mirrors, Secure: true, Official: true },
        ...Object.fromEntries(registrySettings().insecure.filter((e) => !e.includes('/')).map((e) => [e, { Name: e, Mirrors: [], Secure: false, Official: false }])),
      },
      Mirrors: registrySettings().mirrors.length > 0 ? registrySettings().mirrors : null,
    },
    NCPU: cpus,
    MemTotal: os.totalmem(),
    GenericResources: null,
    DockerRootDir: settings.dataRoot,
    HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
    HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
    NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
    Name: os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: engineVersion,
    Runtimes: { [defaultRuntimeName]: { path: findOnPath(runtimeBinary) ?? runtimeBinary } },
    DefaultRuntime: defaultRuntimeName,
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: 'docker-init',
    ContainerdCommit: { ID: ctrd?.revision ?? '' },
    RuncCommit: { ID: runc?.commit ?? '' },
    InitCommit: { ID: '' },
    // moby adds name=cgroupns only on cgroup v2, where containers get a private cgroup namespace by default
    SecurityOptions: cgroupVersion() === '2' ? ['name=seccomp,profile=builtin', 'name=cgroupns'] : ['name=seccomp,profile=builtin'],
    CDISpecDirs: [],
    Containerd: { Address: containerd.address, Namespaces: { Containers: containerd.namespace, Plugins: 'plugins.moby' } },
    Warnings: [],
  };
}
