/**
 * The API shapes of a container: GET /containers/{id}/json (docker's
 * ContainerJSON) and the rows of GET /containers/json (ContainerSummary), with
 * docker's status text ("Up 2 seconds", "Exited (0) 3 minutes ago").
 */
import type { Container } from './container.js';
import { humanDuration } from './human-duration.js';
import { isRunning, zeroTime, type ContainerRecord } from './model.js';
import { userMounts, type MountPoint } from './spec/mounts.js';
import { networkSettings, summaryNetworks, summaryPorts } from '../network/settings.js';

const since = (t: string) => humanDuration(Date.now() - Date.parse(t));

/** docker's ps suffix: ` (healthy)`, ` (unhealthy)`, ` (health: starting)`. */
function healthSuffix(s: ContainerRecord['state']): string {
  if (!s.Health) return '';
  return s.Health.Status === 'starting' ? ' (health: starting)' : ` (${s.Health.Status})`;
}

export function statusText(rec: ContainerRecord): string {
  const s = rec.state;
  switch (s.Status) {
    case 'running':
      return `Up ${since(s.StartedAt)}${healthSuffix(s)}`;
    case 'paused':
      return `Up ${since(s.StartedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    default:
      return s.FinishedAt === zeroTime ? '' : `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  }
}

function mountPoints(rec: ContainerRecord): MountPoint[] {
  try {
    return userMounts(rec.hostConfig, rec.mountPoints ?? []).points;
  } catch {
    return [];
  }
}


export function inspectView(c: Container, sizes?: { rw: number; rootFs: number }): Record<string, unknown> {
  const rec = c.record;
  const s = rec.state;
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: {
      Status: s.Status,
      Running: isRunning(s),
      Paused: s.Status === 'paused',
      Restarting: s.Status === 'restarting',
      OOMKilled: s.OOMKilled,
      Dead: s.Status === 'dead',
      Pid: s.Pid,
      ExitCode: s.ExitCode,
      Error: s.Error,
      StartedAt: s.StartedAt,
      FinishedAt: s.FinishedAt,
      ...(s.Health ? { Health: s.Health } : {}),
    },
    Image: rec.image,
    ResolvConfPath: rec.resolvConfPath,
    HostnamePath: rec.hostnamePath,
    HostsPath: rec.hostsPath,
    LogPath: rec.logPath,
    Name: rec.name,
    RestartCount: rec.restartCount,
    Driver: 'overlayfs',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: c.execIds.size > 0 ? [...c.execIds] : null,
    HostConfig: rec.hostConfig,
    GraphDriver: { Data: null, Name: 'overlayfs' },
    ...(sizes ? { SizeRw: sizes.rw, SizeRootFs: sizes.rootFs } : {}),
    Mounts: mountPoints(rec),
    Config: rec.config,
    NetworkSettings: networkSettings(rec),
  };
}

export function summaryView(c: Container, imageExists: boolean, sizes?: { rw: number; rootFs: number }): Record<string, unknown> {
  const rec = c.record;
  return {
    Id: rec.id,
    Names: [rec.name],
    Image: imageExists ? rec.imageName : rec.image,
    ImageID: rec.image,
    // dockerd quotes the arguments that hold a space
    Command: [rec.path, ...rec.args.map((a) => (a.includes(' ') ? `'${a}'` : a))].join(' '),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: summaryPorts(rec),
    ...(sizes ? { SizeRw: sizes.rw, SizeRootFs: sizes.rootFs } : {}),
    Labels: rec.config.Labels,
    State: rec.state.Status,
    Status: statusText(rec),
    HostConfig: { NetworkMode: rec.hostConfig.NetworkMode },
    NetworkSettings: summaryNetworks(rec),
    Mounts: mountPoints(rec).map((m) => ({ Type: m.Type, ...(m.Name === undefined ? {} : { Name: m.Name }), Source: m.Source, Destination: m.Destination, ...(m.Driver === undefined ? {} : { Driver: m.Driver }), Mode: m.Mode, RW: m.RW, Propagation: m.Propagation })),
  };
}
