/**
 * A container's network namespace, made before its task so berthd can set up
 * its interfaces first: `unshare --net=<file>` leaves the new namespace
 * bind-mounted on a file under <exec-root>/netns/, a path the OCI spec can
 * name (the runtime joins it instead of making its own). Removing it is
 * unmounting that file and deleting it; the kernel frees the namespace (and
 * the veth end in it) when the last user is gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { run, tryRun } from './run.js';

export async function createNetns(file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, '', { mode: 0o444 });
  try {
    await run('unshare', [`--net=${file}`, 'true']);
  } catch (err) {
    fs.rmSync(file, { force: true });
    throw err;
  }
}

function isMounted(file: string): boolean {
  try {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === file);
  } catch {
    return false;
  }
}

export async function removeNetns(file: string): Promise<void> {
  // a file can be mounted over more than once (a crash mid-create); unmount until it is plain
  for (let i = 0; i < 5 && isMounted(file); i++) await tryRun('umount', ['--lazy', file]);
  fs.rmSync(file, { force: true });
}

/** A command run inside the namespace (iproute2 there), through nsenter: berthd's own threads never change namespace. */
export const inNetns = (file: string, cmd: string, args: string[]) => run('nsenter', [`--net=${file}`, cmd, ...args]);
