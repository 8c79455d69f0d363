#!/usr/bin/env node
/**
 * berth: the command line for berthd, with docker's commands, output and exit
 * statuses. Errors end here: printed once to stderr, then the exit status
 * (1 for daemon and API errors, as docker; 125 for usage mistakes).
 */
import { ExitError } from './errors.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof ExitError) {
      if (err.message) process.stderr.write(`${err.message}\n`);
      return err.status;
    }
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
