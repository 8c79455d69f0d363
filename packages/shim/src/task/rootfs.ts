/**
 * Create's rootfs mounts, mounted in order on <bundle>/rootfs with mount(8) as
 * containerd-shim-runc-v2 mounts them (mount.All: each on the same target; the
 * Mount's target field is not used by containerd 1.6 either), and unmounted on
 * Delete, innermost first, until nothing is mounted there.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { internal, invalidArgument } from '@berth/errors';

export interface RootfsMount {
  type: string;
  source: string;
  options: string[];
}

function run(args: string[]): void {
  try {
    execFileSync(args[0] as string, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString('utf8').trim();
    throw internal(`${args.join(' ')}: ${stderr || (err as Error).message}`, err);
  }
}

/** mount(8) arguments for one containerd Mount: a bind mount is spelled with -o bind. */
export function mountArgs(m: RootfsMount, target: string): string[] {
  if (m.type === '' && m.options.length === 0) throw invalidArgument('rootfs mount without a type');
  const bind = m.type === 'bind' || m.options.includes('bind') || m.options.includes('rbind');
  const args = ['mount'];
  if (!bind && m.type !== '') args.push('-t', m.type);
  if (m.options.length > 0) args.push('-o', m.options.join(','));
  args.push(m.source === '' ? m.type : m.source, target);
  return args;
}

export function mountRootfs(target: string, mounts: RootfsMount[]): void {
  if (mounts.length === 0) return;
  fs.mkdirSync(target, { recursive: true, mode: 0o711 });
  let done = 0;
  try {
    for (const m of mounts) {
      run(mountArgs(m, target));
      done++;
    }
  } catch (err) {
    for (; done > 0; done--) tryUnmount(target);
    throw err;
  }
}

/** Whether something is mounted exactly at target (from /proc/self/mountinfo). */
export function isMountPoint(target: string): boolean {
  let real: string;
  try {
    real = fs.realpathSync(target);
  } catch {
    return false;
  }
  const info = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  // field 5 is the mount point, with spaces and the like escaped as octal
  return info.split('\n').some((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))) === real);
}

function tryUnmount(target: string): boolean {
  try {
    run(['umount', target]);
    return true;
  } catch {
    return false;
  }
}

/** Unmounts everything stacked on target. A busy mount is detached lazily rather than left behind. */
export function unmountRootfs(target: string): void {
  for (let i = 0; i < 32 && isMountPoint(target); i++) {
    if (!tryUnmount(target)) run(['umount', '-l', target]);
  }
}
