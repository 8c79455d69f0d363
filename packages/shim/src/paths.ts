/**
 * Files the shim keeps in a container's bundle, and the default socket path.
 * These names are the contract with berth-containerd (README.md): it reads the
 * address to reconnect after a restart and the exit files to learn exits it
 * missed.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';

export const bundleFiles = (bundle: string) => ({
  /** "unix:///run/berth/s/<hash>": the shim's socket (written once it serves). */
  address: path.join(bundle, 'address'),
  /** The shim daemon's pid. */
  shimPid: path.join(bundle, 'shim.pid'),
  /** The container init's pid (containerd's InitPidFile). */
  initPid: path.join(bundle, 'init.pid'),
  /** The shim's JSON-line log. */
  log: path.join(bundle, 'shim.log'),
  /** The shim daemon's raw stderr (only a crash writes here). */
  stderr: path.join(bundle, 'shim.stderr'),
  /** The runtime binary's --log (exec-binary mode), as containerd's runc shim uses it. */
  runtimeLog: path.join(bundle, 'log.json'),
  /** The runtime options of Create, for `berth-shim delete` after the shim is gone. */
  options: path.join(bundle, 'options.json'),
  /** Where Create mounts the rootfs mounts. */
  rootfs: path.join(bundle, 'rootfs'),
  /** Exit records, one file per process, each written atomically before it is reported. */
  exits: path.join(bundle, 'exits'),
});

/** exits/init.json for the init process, exits/exec.<id>.json for exec processes. */
export function exitFileName(execId: string): string {
  return execId === '' ? 'init.json' : `exec.${encodeURIComponent(execId)}.json`;
}

export const defaultSocketDir = '/run/berth/s';

/**
 * Like containerd's shim sockets (/run/containerd/s/<sha256>): short enough for
 * sun_path (108 bytes) whatever the namespace and id. A spare shim, which has no
 * id yet, gets a random name.
 */
export function defaultSocketPath(address: string, namespace: string, id: string): string {
  const key = id === '' ? randomBytes(16).toString('hex') : `${address}\0${namespace}\0${id}`;
  return path.join(defaultSocketDir, createHash('sha256').update(key).digest('hex').slice(0, 32));
}

export const socketAddress = (socketPath: string): string => `unix://${socketPath}`;
