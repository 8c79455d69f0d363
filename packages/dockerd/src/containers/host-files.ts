/**
 * The /etc/hostname, /etc/hosts and /etc/resolv.conf a container gets (kept in
 * its directory, bind-mounted): docker's localhost entries (and the host's
 * files for --network host), the host's resolvers without loopback ones a
 * separate network namespace could not reach.
 */
import fs from 'node:fs';

const localhostHosts = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** A host file's text ('' when it cannot be read): /etc/hosts, /etc/resolv.conf. */
export function readHost(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** `self`: the container's own address and names on a bridge network, written at start. */
export function hostsFile(hostNetwork: boolean, extraHosts: string[], self?: { ip: string; names: string }): string {
  const extra = extraHosts.map((h) => {
    const i = h.indexOf(':');
    return `${h.slice(i + 1)}\t${h.slice(0, i)}`;
  });
  if (hostNetwork) return `${readHost('/etc/hosts').replace(/\n?$/, '\n')}${extra.map((l) => `${l}\n`).join('')}`;
  return `${[...localhostHosts, ...extra, ...(self ? [`${self.ip}\t${self.names}`] : [])].join('\n')}\n`;
}

export function resolvConf(hostNetwork: boolean, dns: string[], search: string[], options: string[]): string {
  const host = readHost('/etc/resolv.conf').split('\n');
  let servers = dns.length > 0 ? dns : host.filter((l) => /^\s*nameserver\s/.test(l)).map((l) => l.trim().split(/\s+/)[1] ?? '');
  if (!hostNetwork) servers = servers.filter((s) => !s.startsWith('127.') && s !== '::1');
  const searches = search.length > 0 ? search : host.filter((l) => /^\s*search\s/.test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1));
  const opts = options.length > 0 ? options : host.filter((l) => /^\s*options\s/.test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1));
  const lines = [
    ...(searches.length > 0 ? [`search ${searches.join(' ')}`] : []),
    ...servers.filter(Boolean).map((s) => `nameserver ${s}`),
    ...(opts.length > 0 ? [`options ${opts.join(' ')}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
