/**
 * docker's container list rows (cli/command/formatter/container.go): the
 * fields a `ps --format` template sees, computed from GET /containers/json
 * as docker computes them (quoted and ellipsised commands, "2 minutes ago",
 * "0B (virtual 1.98MB)", names without their slash, sorted networks).
 */
import { goTimeString, humanDuration, humanSize } from '../units.js';

export interface ContainerSummary {
  Id: string;
  Names?: string[] | null;
  Image: string;
  ImageID?: string;
  Command: string;
  Created: number;
  Ports?: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> | null;
  SizeRw?: number;
  SizeRootFs?: number;
  Labels?: Record<string, string> | null;
  State: string;
  Status: string;
  NetworkSettings?: { Networks?: Record<string, unknown> | null } | null;
  Mounts?: Array<{ Type?: string; Name?: string; Source?: string }> | null;
}

export const containerHeaders: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};

/** docker's Ellipsis: at most `max` characters, the last one an ellipsis when cut. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** Go's strconv.Quote for the printable text commands are made of. */
const goQuote = (s: string): string => JSON.stringify(s).replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => `\\x${h.slice(2)}`);

function ports(list: ContainerSummary['Ports']): string {
  return (list ?? [])
    .map((p) => (p.PublicPort ? `${p.IP ? `${p.IP.includes(':') ? `[${p.IP}]` : p.IP}:` : ''}${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`))
    .join(', ');
}

export function containerRow(c: ContainerSummary, o: { noTrunc: boolean; now?: number }): Record<string, unknown> {
  const trunc = !o.noTrunc;
  let names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  if (trunc) {
    const plain = names.find((n) => !n.includes('/'));
    if (plain !== undefined) names = [plain];
  }
  let image = c.Image;
  if (trunc && /^sha256:[0-9a-f]{64}$/.test(image)) image = image.slice(7, 19);
  let command = goQuote(c.Command);
  if (trunc) command = ellipsis(command, 20);
  const srw = humanSize(c.SizeRw ?? 0);
  const size = (c.SizeRootFs ?? 0) > 0 ? `${srw} (virtual ${humanSize(c.SizeRootFs ?? 0)})` : srw;
  const labels = Object.entries(c.Labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(',');
  const mounts = (c.Mounts ?? []).map((m) => (trunc ? ellipsis(m.Name || m.Source || '', 15) : m.Name || m.Source || '')).join(',');
  const networks = Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(',');
  const localVolumes = (c.Mounts ?? []).filter((m) => m.Type === 'volume').length;
  // keys in Go's marshalling order (sorted), as `--format json` prints them
  return {
    Command: command,
    CreatedAt: goTimeString(c.Created),
    ID: trunc ? c.Id.slice(0, 12) : c.Id,
    Image: image,
    Labels: labels,
    // docker's method {{.Label "key"}} (json leaves functions out)
    Label: (key: unknown) => (c.Labels ?? {})[String(key)] ?? '',
    LocalVolumes: String(localVolumes),
    Mounts: mounts,
    Names: names.join(','),
    Networks: networks,
    Platform: null,
    Ports: ports(c.Ports),
    RunningFor: `${humanDuration((o.now ?? Date.now()) - c.Created * 1000)} ago`,
    Size: size,
    State: c.State,
    Status: c.Status,
  };
}
