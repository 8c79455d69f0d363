/**
 * `berth network inspect / rm / connect / disconnect`: one API call per
 * network, with docker's output and exit statuses (inspect prints what it
 * found and the errors after; rm prints each removed name and each error as
 * it happens, then "exit status 1").
 */
import type { Command } from 'commander';
import { ExitError } from '../errors.js';
import { describeCommand, formatFlagHelp } from '../help.js';
import { TemplateError } from '../template/format.js';
import { apiOf, enc, isNotFound, messageOf } from './container-common.js';
import { parseFormat } from './format-flag.js';
import { checkArgs, collect, collectSlice } from './network-common.js';
import { endpointRuntimeFields } from './network-endpoints.js';

async function runInspect(args: string[], o: { format?: string; verbose?: boolean }, self: Command): Promise<void> {
  checkArgs(self, args, { min: 1 });
  const tmpl = o.format ? parseFormat(o.format) : undefined;
  const api = apiOf(self);
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of args) {
    try {
      found.push(await api.getJson<unknown>(`/networks/${enc(name)}${o.verbose ? '?verbose=true' : ''}`));
    } catch (err) {
      errors.push(messageOf(err));
    }
  }
  if (!tmpl) {
    // the daemon's JSON re-indented, as docker's json.Indent of the raw answer
    process.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
  } else {
    // with nothing found docker still ends its (empty) template output with a newline
    if (!found.length) process.stdout.write('\n');
    for (const item of found) {
      try {
        process.stdout.write(`${tmpl.execute(item)}\n`);
      } catch (err) {
        if (err instanceof TemplateError) throw new ExitError(`template parsing error: ${err.message}`, 1);
        throw err;
      }
    }
  }
  if (errors.length) throw new ExitError(errors.join('\n'), 1);
}

async function runRm(args: string[], o: { force?: boolean }, self: Command): Promise<void> {
  checkArgs(self, args, { min: 1 });
  const api = apiOf(self);
  let failed = false;
  for (const name of args) {
    try {
      await api.send(`/networks/${enc(name)}`, { method: 'DELETE' });
      process.stdout.write(`${name}\n`);
    } catch (err) {
      if (o.force && isNotFound(err)) continue;
      process.stderr.write(`${messageOf(err)}\n`);
      failed = true;
    }
  }
  if (failed) throw new ExitError('exit status 1', 1);
}

interface ConnectFlags {
  alias?: string[];
  ip?: string;
  ip6?: string;
  link?: string[];
  linkLocalIp?: string[];
  driverOpt?: string[];
  gwPriority?: string;
}

/** docker's convertDriverOpt: trimmed key=value pairs, the key required. */
function driverOpts(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    if (eq < 0 || !key) throw new ExitError('invalid key/value pair format in driver options', 1);
    out[key] = item.slice(eq + 1).trim();
  }
  return out;
}

async function runConnect(args: string[], o: ConnectFlags, self: Command): Promise<void> {
  checkArgs(self, args, { exact: 2 });
  const gw = o.gwPriority === undefined ? 0 : Number(o.gwPriority);
  if (!Number.isInteger(gw)) throw new ExitError(`invalid argument "${o.gwPriority ?? ''}" for "--gw-priority" flag: strconv.ParseInt: parsing "${o.gwPriority ?? ''}": invalid syntax`, 125);
  const [network = '', container = ''] = args;
  // the EndpointSettings docker's client sends: every field, operational ones empty
  const endpoint = {
    IPAMConfig: {
      ...(o.ip ? { IPv4Address: o.ip } : {}),
      ...(o.ip6 ? { IPv6Address: o.ip6 } : {}),
      ...(o.linkLocalIp?.length ? { LinkLocalIPs: o.linkLocalIp } : {}),
    },
    Links: o.link ?? null,
    Aliases: o.alias ?? [],
    MacAddress: '',
    DriverOpts: driverOpts(o.driverOpt),
    GwPriority: gw,
    ...endpointRuntimeFields,
  };
  await apiOf(self).send(`/networks/${enc(network)}/connect`, { method: 'POST', body: { Container: container, EndpointConfig: endpoint } });
}

async function runDisconnect(args: string[], o: { force?: boolean }, self: Command): Promise<void> {
  checkArgs(self, args, { exact: 2 });
  const [network = '', container = ''] = args;
  await apiOf(self).send(`/networks/${enc(network)}/disconnect`, { method: 'POST', body: { Container: container, Force: Boolean(o.force) } });
}

export function networkConnectOn(network: Command): void {
  const cmd = network
    .command('connect')
    .description('Connect a container to a network')
    .argument('[args...]')
    .option('--alias <strings>', 'Add network-scoped alias for the container', collectSlice)
    .option('--driver-opt <strings>', 'driver options for the network', collectSlice)
    .option('--gw-priority <int>', 'Highest gw-priority provides the default\ngateway. Accepts positive and negative values.')
    .option('--ip <string>', 'IPv4 address (e.g., "172.30.100.104")')
    .option('--ip6 <string>', 'IPv6 address (e.g., "2001:db8::33")')
    .option('--link <list>', 'Add link to another container', collect)
    .option('--link-local-ip <strings>', 'Add a link-local address for the container', collectSlice)
    .action(runConnect);
  describeCommand(cmd, { usage: '[OPTIONS] NETWORK CONTAINER' });
}

export function networkDisconnectOn(network: Command): void {
  const cmd = network
    .command('disconnect')
    .description('Disconnect a container from a network')
    .argument('[args...]')
    .option('-f, --force', 'Force the container to disconnect from a network')
    .action(runDisconnect);
  describeCommand(cmd, { usage: '[OPTIONS] NETWORK CONTAINER' });
}

export function networkInspectOn(network: Command): void {
  const cmd = network
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .argument('[args...]')
    .option('-f, --format <string>', formatFlagHelp)
    .option('-v, --verbose', 'Verbose output for diagnostics')
    .action(runInspect);
  describeCommand(cmd, { usage: '[OPTIONS] NETWORK [NETWORK...]' });
}

export function networkRmOn(network: Command): void {
  const cmd = network
    .command('rm')
    .alias('remove')
    .description('Remove one or more networks')
    .argument('[args...]')
    .option('-f, --force', 'Do not error if the network does not exist')
    .action(runRm);
  describeCommand(cmd, { usage: 'NETWORK [NETWORK...]', aliases: ['berth network rm', 'berth network remove'] });
}
