#!/usr/bin/env node
/**
 * berth-runc: the runc 1.1 command line. Global options come before the
 * command, command options before its arguments (urfave/cli's rules, which
 * containerd's and dockerd's runc clients follow).
 */
import { Command, CommanderError, Option } from 'commander';
import { errorCodeOf } from '@berth/errors';
import { versionText } from '../spec/version.js';
import { globalOptions, loggerFor, UsageError, ExitStatus } from './context.js';
import { out } from './output.js';
import { lifecycleCommands } from './commands/lifecycle.js';
import { infoCommands } from './commands/info.js';
import { execCommand } from './commands/exec.js';
import { manageCommands } from './commands/manage.js';
import { specCommands } from './commands/spec.js';
import { DEFAULT_ROOT } from '../state/store.js';

function buildProgram(): Command {
  const program = new Command('runc');
  program
    .usage('[global options] command [command options] [arguments...]')
    .description('Open Container Initiative runtime (berth-runc)')
    .option('--debug', 'enable debug logging')
    .option('--log <path>', 'set the log file to write runc logs to (default is \'/dev/stderr\')')
    .addOption(new Option('--log-format <format>', 'set the log format').choices(['text', 'json']).default('text'))
    .option('--root <dir>', 'root directory for storage of container state (this should be located in tmpfs)', DEFAULT_ROOT)
    .option('--criu <path>', 'path to the criu binary used for checkpoint and restore', 'criu')
    .option('--systemd-cgroup', 'enable systemd cgroup support')
    .option('--rootless <value>', 'ignore cgroup permission errors (\'true\', \'false\', or \'auto\')', 'auto')
    .option('-v, --version', 'print the version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  lifecycleCommands(program);
  infoCommands(program);
  execCommand(program);
  manageCommands(program);
  specCommands(program);
  for (const name of ['checkpoint', 'restore']) {
    program
      .command(name)
      .description(`${name} is not supported by berth-runc`)
      .allowUnknownOption()
      .argument('[args...]')
      .action(() => {
        throw new UsageError(`${name} is not supported by berth-runc (no CRIU integration)`);
      });
  }
  program
    .command('help')
    .argument('[command]')
    .description('Shows a list of commands or help for one command')
    .action((name?: string) => {
      if (!name) return program.outputHelp();
      const cmd = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
      if (!cmd) {
        throw new HelpTopicError(`No help topic for '${name}'`);
      }
      cmd.outputHelp();
    });
  for (const c of program.commands) c.exitOverride();
  return program;
}

class HelpTopicError extends Error {}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const positional = firstCommand(argv);
  if (!positional && (argv.includes('-v') || argv.includes('--version'))) {
    out(versionText());
    return 0;
  }
  const known = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]));
  if (positional && !known.has(positional)) {
    loggerFor(globalOptions(program)).error(`No help topic for '${positional}'\n`);
    return 3;
  }
  const isExec = positional === 'exec';
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof ExitStatus) return err.status;
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return err.exitCode || 1;
    }
    const log = loggerFor(globalOptions(program));
    if (err instanceof HelpTopicError) {
      log.error(`${err.message}\n`);
      return 3;
    }
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof UsageError) {
      log.error(message);
      return 1;
    }
    const code = errorCodeOf(err);
    if (positional === 'create' || positional === 'run') log.error(`runc ${positional} failed: ${message}`);
    else if (isExec) log.error(`exec failed: ${message}`);
    else log.error(message);
    if (code === 'Internal' && err instanceof Error && !('code' in err) && process.env.BERTH_DEBUG) process.stderr.write(`${err.stack}\n`);
    return isExec ? 255 : 1;
  }
}

/** The command word: the first argument that is neither a global option nor its value. */
function firstCommand(argv: string[]): string | undefined {
  const withValue = new Set(['--log', '--log-format', '--root', '--criu', '--rootless']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (withValue.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a;
  }
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`berth-runc: ${String(err)}\n`);
    process.exit(1);
  },
);
