/**
 * The berth command tree (commander), with docker's help layout and docker's
 * wording and exit statuses for usage mistakes: unknown command -> exit 1,
 * unknown flag -> exit 125, arguments to a command that takes none -> exit 1.
 */
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { markOperands } from './argv.js';
import { CLIENT_VERSION } from './buildinfo.js';
import { certDir } from './client/tls.js';
import { ExitError, usageError } from './errors.js';
import { describeCommand, formatHelp, fullName, usageLine } from './help.js';
import { containerCommands } from './commands/container.js';
import { buildCommands } from './commands/build.js';
import { imageCommands } from './commands/image.js';
import { infoCommands } from './commands/info.js';
import { networkCommands } from './commands/network.js';
import { pushOn } from './commands/push.js';
import { loginCommands } from './commands/login.js';
import { searchOn } from './commands/search.js';
import { versionCommand } from './commands/version.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function buildProgram(): Command {
  const program = new Command('berth');
  describeCommand(program, { usage: '[OPTIONS] COMMAND' });
  program
    .description('A self-sufficient runtime for containers')
    .option('-D, --debug', 'Enable debug mode')
    .option('-H, --host <list>', 'Daemon socket to connect to', collect, [])
    .option('-l, --log-level <string>', 'Set the logging level ("debug", "info",\n"warn", "error", "fatal") (default "info")')
    .option('--tls', 'Use TLS; implied by --tlsverify')
    .option('--tlscacert <string>', `Trust certs signed only by this CA (default\n"${path.join(certDir(process.env), 'ca.pem')}")`)
    .option('--tlscert <string>', `Path to TLS certificate file (default\n"${path.join(certDir(process.env), 'cert.pem')}")`)
    .option('--tlskey <string>', `Path to TLS key file (default\n"${path.join(certDir(process.env), 'key.pem')}")`)
    .option('--tlsverify', 'Use TLS and verify the remote')
    .option('-v, --version', 'Print version information and quit')
    .argument('[command]')
    .argument('[args...]')
    .action((name: string | undefined, _args: string[], opts: { version?: boolean }) => {
      if (opts.version) {
        process.stdout.write(`Berth version ${CLIENT_VERSION}, build ${process.env.BERTH_BUILD_COMMIT ?? 'unknown'}\n`);
        return;
      }
      if (name) throw new ExitError(`berth: unknown command: berth ${name}\n\nRun 'berth --help' for more information`, 1);
      program.outputHelp();
    });
  versionCommand(program);
  infoCommands(program);
  imageCommands(program);
  buildCommands(program);
  containerCommands(program);
  networkCommands(program);
  pushOn(program);
  loginCommands(program);
  searchOn(program);
  applyDockerStyle(program);
  // run/create/exec: everything from the image (or container) on is the container's command line
  const parse = program.parseAsync.bind(program);
  program.parseAsync = (argv, opts) => parse(markOperands(program, [...(argv ?? [])]), opts);
  return program;
}

/** Every command: docker's help, and commander's errors rewritten in docker's words. */
function applyDockerStyle(cmd: Command): void {
  // run and create use -h for --hostname: their help is --help only, as docker's
  cmd.helpOption(cmd.options.some((o) => o.short === '-h') ? '--help' : '-h, --help', 'Print usage');
  cmd.configureHelp({ formatHelp: (c) => formatHelp(c) });
  cmd.configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  cmd.exitOverride((err: CommanderError) => {
    throw translate(cmd, err);
  });
  for (const sub of cmd.commands) applyDockerStyle(sub);
}

function translate(cmd: Command, err: CommanderError): Error {
  const usage = cmd.parent ? usageLine(cmd) : 'berth [OPTIONS] COMMAND [ARG...]';
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'commander.helpDisplayed':
    case 'commander.help':
    case 'commander.version':
      return new ExitError('', 0);
    case 'commander.unknownOption':
      return usageError(`unknown flag: ${quoted}`, usage, fullName(cmd));
    case 'commander.optionMissingArgument':
      return usageError(`flag needs an argument: ${quoted.split(/[ ,]/).pop() ?? quoted}`, usage, fullName(cmd));
    case 'commander.excessArguments':
      return usageError(`berth: '${fullName(cmd)}' accepts no arguments`, usage, fullName(cmd), 1);
    default:
      return new ExitError(err.message.replace(/^error: /, ''), err.exitCode || 1);
  }
}
