/**
 * `berth network create [OPTIONS] NETWORK`: POST /networks/create with the
 * body docker's client sends (its field order, IPAM built and checked on the
 * client, CheckDuplicate for daemons older than API 1.44), then the new
 * network's ID.
 */
import { Option, type Command } from 'commander';
import { compareVersions } from '../client/version.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { apiOf, messageOf } from './container-common.js';
import { checkArgs, checkLabels, collect, collectSlice, keyValues } from './network-common.js';
import { ipamConfig } from './network-ipam.js';

interface CreateFlags {
  driver: string;
  opt?: string[];
  label?: string[];
  internal?: boolean;
  ipv4?: boolean;
  ipv6?: boolean;
  attachable?: boolean;
  ingress?: boolean;
  scope?: string;
  configOnly?: boolean;
  configFrom?: string;
  ipamDriver: string;
  subnet?: string[];
  ipRange?: string[];
  gateway?: string[];
  auxAddress?: string[];
  ipamOpt?: string[];
}

async function runCreate(args: string[], o: CreateFlags, self: Command): Promise<void> {
  checkArgs(self, args, { exact: 1 });
  checkLabels(self, o.label);
  let ipam: ReturnType<typeof ipamConfig>;
  try {
    ipam = ipamConfig({
      driver: o.ipamDriver,
      subnets: o.subnet ?? [],
      ipRanges: o.ipRange ?? [],
      gateways: o.gateway ?? [],
      auxAddresses: keyValues(o.auxAddress),
      options: keyValues(o.ipamOpt),
    });
  } catch (err) {
    throw new ExitError(messageOf(err), 1);
  }
  const api = apiOf(self);
  const body: Record<string, unknown> = {
    Driver: o.driver,
    Scope: o.scope ?? '',
    // docker sends EnableIPv4/6 only when the flag was given (--no-ipv4 is our spelling of --ipv4=false)
    ...(o.ipv4 !== undefined ? { EnableIPv4: o.ipv4 } : {}),
    ...(o.ipv6 !== undefined ? { EnableIPv6: o.ipv6 } : {}),
    IPAM: ipam,
    Internal: Boolean(o.internal),
    Attachable: Boolean(o.attachable),
    Ingress: Boolean(o.ingress),
    ConfigOnly: Boolean(o.configOnly),
    ConfigFrom: o.configFrom ? { Network: o.configFrom } : null,
    Options: keyValues(o.opt),
    Labels: keyValues(o.label),
    Name: args[0],
  };
  // daemons before API 1.44 allow duplicate names unless asked not to
  if (compareVersions(await api.apiVersion(), '1.44') < 0) body.CheckDuplicate = true;
  const res = await api.getJson<{ Id: string; Warning?: string }>('/networks/create', { method: 'POST', body });
  process.stdout.write(`${res.Id}\n`);
}

export function networkCreateOn(network: Command): void {
  const cmd = network
    .command('create')
    .description('Create a network')
    .argument('[args...]')
    .option('--attachable', 'Enable manual container attachment')
    .option('--aux-address <map>', 'Auxiliary IPv4 or IPv6 addresses used by\nNetwork driver (default map[])', collect)
    .option('--config-from <string>', 'The network from which to copy the configuration')
    .option('--config-only', 'Create a configuration only network')
    .option('-d, --driver <string>', 'Driver to manage the Network (default "bridge")', 'bridge')
    .option('--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet', collectSlice)
    .option('--ingress', 'Create swarm routing-mesh network')
    .option('--internal', 'Restrict external access to the network')
    .option('--ip-range <strings>', 'Allocate container ip from a sub-range', collectSlice)
    .option('--ipam-driver <string>', 'IP Address Management Driver (default "default")', 'default')
    .option('--ipam-opt <map>', 'Set IPAM driver specific options (default map[])', collect)
    .option('--ipv4', 'Enable or disable IPv4 address assignment\n(default true)')
    .addOption(new Option('--no-ipv4').hideHelp())
    .option('--ipv6', 'Enable or disable IPv6 address assignment')
    .addOption(new Option('--no-ipv6').hideHelp())
    .option('--label <list>', 'Set metadata on a network', collect)
    .option('-o, --opt <map>', 'Set driver specific options (default map[])', collect)
    .option('--scope <string>', "Control the network's scope")
    .option('--subnet <strings>', 'Subnet in CIDR format that represents a\nnetwork segment', collectSlice)
    .action(runCreate);
  describeCommand(cmd, { usage: '[OPTIONS] NETWORK' });
}
