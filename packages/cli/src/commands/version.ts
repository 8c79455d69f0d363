/**
 * `berth version`: docker's Client: and Server: pages, or `--format`. As with
 * docker, the client part is printed even when the daemon cannot be reached,
 * and then the error is returned (exit 1).
 */
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { clientInfo, type ClientInfo } from '../buildinfo.js';
import { reformatDate } from '../dates.js';
import { describeCommand, formatFlagHelp } from '../help.js';
import { tabwrite } from '../tabwriter.js';
import type { Template } from '../template/format.js';
import { CLIENT_API_VERSION } from '../client/version.js';
import { parseFormat } from './format-flag.js';

interface Component {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

export interface ServerVersion {
  Platform?: { Name?: string };
  Components?: Component[];
  [key: string]: unknown;
}

export interface VersionData {
  Client: ClientInfo;
  Server: ServerVersion | null;
}

export function versionCommand(program: Command): void {
  const cmd = program
    .command('version')
    .description('Show the Berth version information')
    .option('-f, --format <string>', formatFlagHelp)
    .action(async (opts: { format?: string }, self: Command) => {
      const tmpl = opts.format ? parseFormat(opts.format) : undefined;
      const api = clientFor(self.optsWithGlobals<GlobalOptions>());
      let server: ServerVersion | null = null;
      let failure: unknown;
      let apiVersion = CLIENT_API_VERSION;
      try {
        server = withEngineBuildTime(await api.getJson<ServerVersion>('/version'));
        apiVersion = await api.apiVersion();
      } catch (err) {
        failure = err;
      }
      const data: VersionData = { Client: clientInfo(apiVersion), Server: server };
      process.stdout.write(tmpl ? `${render(tmpl, data, failure !== undefined)}\n` : prettyVersion(data));
      if (failure) throw failure;
    });
  describeCommand(cmd, { usage: '[OPTIONS]' });
}

/** With the daemon unreachable docker reports that error, not the template's (a nil .Server). */
function render(tmpl: Template, data: VersionData, serverFailed: boolean): string {
  try {
    return tmpl.execute(data);
  } catch (err) {
    if (serverFailed) return '';
    throw err;
  }
}

/** docker shows the Engine's build time in time.ANSIC, in templates too. */
function withEngineBuildTime(v: ServerVersion): ServerVersion {
  const Components = v.Components?.map((c) =>
    c.Name === 'Engine' && c.Details?.BuildTime ? { ...c, Details: { ...c.Details, BuildTime: reformatDate(c.Details.BuildTime) } } : c,
  );
  return Components ? { ...v, Components } : v;
}

/** docker's version template, printed through tabwriter(minwidth 20, padding 1). */
export function prettyVersion({ Client: c, Server: s }: VersionData): string {
  const downgraded = c.ApiVersion !== c.DefaultAPIVersion ? ` (downgraded from ${c.DefaultAPIVersion})` : '';
  const lines = [
    'Client:',
    ` Version:\t${c.Version}`,
    ` API version:\t${c.ApiVersion}${downgraded}`,
    ` Node version:\t${c.NodeVersion}`,
    ` Git commit:\t${c.GitCommit}`,
    ` Built:\t${c.BuildTime}`,
    ` OS/Arch:\t${c.Os}/${c.Arch}`,
    ` Context:\t${c.Context}`,
  ];
  if (s) {
    lines.push('', `Server:${s.Platform?.Name ? ` ${s.Platform.Name}` : ''}`);
    for (const comp of s.Components ?? []) {
      const d = comp.Details ?? {};
      lines.push(` ${comp.Name}:`);
      if (comp.Name === 'Engine') {
        lines.push(
          `  Version:\t${comp.Version}`,
          `  API version:\t${d.ApiVersion ?? ''} (minimum version ${d.MinAPIVersion ?? ''})`,
          `  Go version:\t${d.GoVersion ?? ''}`,
          `  Git commit:\t${d.GitCommit ?? ''}`,
          `  Built:\t${d.BuildTime ?? ''}`,
          `  OS/Arch:\t${d.Os ?? ''}/${d.Arch ?? ''}`,
          `  Experimental:\t${d.Experimental ?? ''}`,
        );
      } else {
        lines.push(`  Version:\t${comp.Version}`, ...Object.keys(d).sort().map((k) => `  ${k}:\t${d[k]}`));
      }
    }
  }
  return `${tabwrite(lines.join('\n'), { minWidth: 20, padding: 1 })}\n`;
}
