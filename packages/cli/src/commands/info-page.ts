/**
 * The text page of `berth info`: docker info's main lines, in its order and
 * wording, from the daemon's /info JSON.
 */
import type { ClientInfo } from '../buildinfo.js';

export type Info = Record<string, unknown>;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** go-units' BytesSize: binary units, four significant digits ("23.54GiB"). */
export function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

export function clientPage(c: ClientInfo, debug: boolean): string[] {
  return ['Client:', ` Version:    ${c.Version}`, ` Context:    ${c.Context}`, ` Debug Mode: ${debug}`];
}

export function serverPage(i: Info): string[] {
  const out: string[] = ['Server:'];
  const line = (label: string, v: unknown) => out.push(` ${label}: ${str(v)}`);
  line('Containers', i.Containers);
  out.push(`  Running: ${str(i.ContainersRunning)}`, `  Paused: ${str(i.ContainersPaused)}`, `  Stopped: ${str(i.ContainersStopped)}`);
  line('Images', i.Images);
  line('Server Version', i.ServerVersion);
  line('Storage Driver', i.Driver);
  for (const pair of Array.isArray(i.DriverStatus) ? i.DriverStatus : []) {
    const [k, v] = list(pair);
    out.push(`  ${k}: ${v ?? ''}`);
  }
  line('Logging Driver', i.LoggingDriver);
  line('Cgroup Driver', i.CgroupDriver);
  line('Cgroup Version', i.CgroupVersion);
  const plugins = obj(i.Plugins);
  out.push(' Plugins:');
  for (const kind of ['Volume', 'Network', 'Authorization', 'Log']) {
    const names = list(plugins[kind]);
    if (names.length) out.push(`  ${kind}: ${names.join(' ')}`);
  }
  line('Swarm', obj(i.Swarm).LocalNodeState ?? 'inactive');
  line('Runtimes', Object.keys(obj(i.Runtimes)).sort().join(' '));
  line('Default Runtime', i.DefaultRuntime);
  line('Init Binary', i.InitBinary);
  line('containerd version', obj(i.ContainerdCommit).ID);
  line('runc version', obj(i.RuncCommit).ID);
  line('init version', obj(i.InitCommit).ID);
  const security = list(i.SecurityOptions);
  if (security.length) {
    out.push(' Security Options:');
    for (const opt of security) {
      for (const kv of opt.split(',')) {
        const [k, v = ''] = kv.split('=', 2) as [string, string?];
        out.push(k === 'name' ? `  ${v}` : `   ${k.charAt(0).toUpperCase()}${k.slice(1)}: ${v}`);
      }
    }
  }
  line('Kernel Version', i.KernelVersion);
  line('Operating System', i.OperatingSystem);
  line('OSType', i.OSType);
  line('Architecture', i.Architecture);
  line('CPUs', i.NCPU);
  line('Total Memory', typeof i.MemTotal === 'number' ? bytesSize(i.MemTotal) : '');
  line('Name', i.Name);
  line('ID', i.ID);
  line('Docker Root Dir', i.DockerRootDir);
  line('Debug Mode', Boolean(i.Debug));
  for (const [label, key] of [['HTTP Proxy', 'HttpProxy'], ['HTTPS Proxy', 'HttpsProxy'], ['No Proxy', 'NoProxy']] as const) {
    if (str(i[key])) line(label, i[key]);
  }
  const labels = list(i.Labels);
  if (labels.length) out.push(' Labels:', ...labels.map((l) => `  ${l}`));
  line('Experimental', Boolean(i.ExperimentalBuild));
  // docker's order: the insecure index configs by name, then the CIDRs; then the mirrors
  const reg = obj(i.RegistryConfig);
  const insecureNames = Object.values(obj(reg.IndexConfigs)).map(obj).filter((c) => c.Secure === false).map((c) => String(c.Name));
  const insecure = [...insecureNames, ...list(reg.InsecureRegistryCIDRs)];
  if (insecure.length) out.push(' Insecure Registries:', ...insecure.map((r) => `  ${r}`));
  const mirrors = list(reg.Mirrors);
  if (mirrors.length) out.push(' Registry Mirrors:', ...mirrors.map((m) => `  ${m}`));
  line('Live Restore Enabled', Boolean(i.LiveRestoreEnabled));
  return out;
}
