/**
 * The Linux bridge of the default network: made (or adopted, when berthd
 * restarts and finds it) with the --bip address, brought up; removed when
 * berthd stops normally. IPv4 forwarding is switched on, as dockerd does: the
 * containers' traffic to anywhere but the host crosses the FORWARD path.
 */
import fs from 'node:fs';
import type { Ipv4Net } from './cidr.js';
import { run, tryRun } from './run.js';

const linkExists = (name: string) => fs.existsSync(`/sys/class/net/${name}`);

export async function ensureBridge(name: string, net: Ipv4Net): Promise<void> {
  if (!linkExists(name)) await run('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', name]);
  const want = `${net.gateway}/${net.prefixLen}`;
  if (!stdout.includes(` ${want} `)) await run('ip', ['addr', 'add', want, 'dev', name]);
  await run('ip', ['link', 'set', name, 'up']);
  fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
}

export async function removeBridge(name: string): Promise<void> {
  if (linkExists(name)) await tryRun('ip', ['link', 'del', name]);
}
