/**
 * Errors the CLI ends with and their exit statuses, as docker's: a usage
 * mistake (unknown flag) exits 125, everything else that fails exits 1.
 */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

/** docker's "unknown flag" and argument-count errors: message, usage line, hint; exit 125 or 1. */
export function usageError(message: string, usage: string, command: string, status = 125): ExitError {
  return new ExitError(`${message}\n\nUsage:  ${usage}\n\nRun '${command} --help' for more information`, status);
}
