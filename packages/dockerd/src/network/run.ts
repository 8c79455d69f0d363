/**
 * Running the host's network tools (iproute2 `ip`, `iptables -w`, `unshare`,
 * `nsenter`) with execFile: argument vectors only, never a shell string, so
 * no name or address can be read as shell syntax.
 */
import { execFile } from 'node:child_process';
import { internal } from '@berth/errors';

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** `input`, when given, is written to the command's stdin (an `ip -batch -` script). */
export function run(cmd: string, args: string[], input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(internal(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`, err));
      else resolve({ stdout, stderr });
    });
    child.stdin?.on('error', () => undefined); // a command that exits early: its error above says why
    child.stdin?.end(input ?? '');
  });
}

/** The same, for undo steps: a failure is only worth a log line, never a thrown error. */
export async function tryRun(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args);
    return true;
  } catch {
    return false;
  }
}
