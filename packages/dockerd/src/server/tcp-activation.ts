/**
 * systemd socket activation for -H fd://: the listening sockets systemd opened
 * are fds 3..3+LISTEN_FDS-1, meant for us only when LISTEN_PID is our pid (so a
 * child that inherits the environment does not take them). The variables are
 * removed once read, as sd_listen_fds(unset_environment=1) does, and the fds
 * are taken once per process: every fd:// host shares them.
 */
import fs from 'node:fs';
import { invalidArgument } from '@berth/errors';

const firstFd = 3;
let taken: number[] | undefined;

/** The activated fds, read from `env` once; fds that are not sockets are left out. */
export function activatedFds(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): number[] {
  if (taken !== undefined) return taken;
  const forUs = Number(env.LISTEN_PID) === pid;
  const count = Number(env.LISTEN_FDS);
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  taken = [];
  if (!forUs || !Number.isInteger(count) || count < 1) return taken;
  for (let fd = firstFd; fd < firstFd + count; fd++) {
    try {
      if (fs.fstatSync(fd).isSocket()) taken.push(fd);
    } catch {
      // not open: nothing to listen on
    }
  }
  return taken;
}

/** The fds one fd:// host serves: `fd` alone (the others closed, as dockerd does), or all. */
export function selectFds(all: number[], fd: number | undefined): number[] {
  if (all.length === 0) throw invalidArgument('no sockets found via socket activation: make sure the service was started by systemd');
  if (fd === undefined) return all;
  if (!all.includes(fd)) {
    if (fd > Math.max(...all)) throw invalidArgument('too few socket activated files passed in by systemd');
    throw invalidArgument(`failed to listen on systemd activated file: fd ${fd}`);
  }
  for (const other of all) if (other !== fd) fs.closeSync(other);
  taken = [fd];
  return [fd];
}
