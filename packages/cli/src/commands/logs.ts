/**
 * `berth logs` / `container logs`: GET /containers/{id}/logs with docker's
 * options; the stream is copied raw for a TTY container and demultiplexed
 * (stdcopy) onto stdout/stderr otherwise. --since/--until take docker's
 * forms: a Go duration ago ("10m"), an RFC 3339 time, or Unix seconds.
 */
import type { Command } from 'commander';
import { openStream } from '../client/stream.js';
import { Demuxer } from '../client/stdcopy.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { goDurationNs } from '../units.js';
import { apiOf, enc } from './container-common.js';

/** docker's timetypes.GetTimestamp: the value as "<seconds>[.<nanos>]" for the API. */
export function apiTimestamp(value: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  // an unsigned Go duration ago (docker's GetTimestamp takes no sign)
  const ns = /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(value) ? goDurationNs(value) : undefined;
  const dur = ns === undefined ? undefined : ns / 1e9;
  const seconds = dur !== undefined ? now / 1000 - dur : Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) / 1000;
  if (!Number.isFinite(seconds)) throw new ExitError(`invalid value for "since": failed to parse value as time or duration: "${value}"`, 1);
  const whole = Math.floor(seconds);
  return `${whole}.${String(Math.round((seconds - whole) * 1e9)).padStart(9, '0')}`;
}

interface LogsOptions {
  details?: boolean;
  follow?: boolean;
  since?: string;
  tail?: string;
  timestamps?: boolean;
  until?: string;
}

async function runLogs(name: string, o: LogsOptions, self: Command): Promise<void> {
  const api = apiOf(self);
  const c = await api.getJson<{ Id: string; Config: { Tty: boolean } }>(`/containers/${enc(name)}/json`);
  const q = new URLSearchParams({ stdout: '1', stderr: '1' });
  if (o.since) q.set('since', apiTimestamp(o.since));
  if (o.until) q.set('until', apiTimestamp(o.until));
  if (o.timestamps) q.set('timestamps', '1');
  if (o.follow) q.set('follow', '1');
  q.set('tail', o.tail ?? 'all');
  if (o.details) q.set('details', '1');
  const res = await openStream(api, `/containers/${enc(c.Id)}/logs?${q.toString()}`);
  const demux = new Demuxer((kind, data) => (kind === 'stdout' ? process.stdout : process.stderr).write(data));
  await new Promise<void>((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      try {
        if (c.Config.Tty) process.stdout.write(chunk);
        else demux.push(chunk);
      } catch (err) {
        reject(err instanceof Error ? new ExitError(err.message, 1) : err);
      }
    });
    res.on('end', resolve);
    res.on('error', reject);
  });
}

export function logsOn(parent: Command): Command {
  const cmd = parent
    .command('logs')
    .description('Fetch the logs of a container')
    .argument('<container>')
    .option('--details', 'Show extra details provided to logs')
    .option('-f, --follow', 'Follow log output')
    .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('-n, --tail <string>', 'Number of lines to show from the end of the logs (default "all")')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--until <string>', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .action(runLogs);
  return describeCommand(cmd, { usage: '[OPTIONS] CONTAINER', aliases: ['berth container logs', 'berth logs'] });
}
