/**
 * The typed face of the C++ addon (packages/runc/native). Everything above this
 * file talks to the kernel through the NativeCore interface, so plan logic can be
 * tested with a recording fake and integration tests run the real one as root.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import type { NativePlan } from './plan-types.js';

export const MsgType = {
  Go: 1,
  UserMap: 2,
  Pid: 3,
  Hooks: 4,
  Ready: 5,
  Error: 6,
} as const;

export interface SyncMessage {
  type: number;
  step: number;
  errno: number;
  index: number;
  value: number;
  value2: number;
  detail: string;
}

export interface WaitResult {
  pid: number;
  status?: number;
  exitCode?: number;
  signal?: number;
}

export interface NativeCore {
  spawn(plan: NativePlan): { pid: number; syncFd: number };
  recvMsg(fd: number, timeoutMs: number): SyncMessage | null;
  sendGo(fd: number, value?: number): void;
  waitpid(pid: number, nohang: boolean): WaitResult;
  waitpidAsync(pid: number): Promise<WaitResult>;
  mkfifo(path: string, mode: number): void;
  recvFd(sockFd: number): { fd: number; name: string };
  socketpair(): [number, number];
  listenUnix(path: string): number;
  accept(fd: number, timeoutMs: number): number;
  setWinsize(fd: number, rows: number, cols: number): void;
  getWinsize(fd: number): { rows: number; cols: number } | null;
  setRaw(fd: number): Buffer;
  restoreTermios(fd: number, saved: Buffer): void;
  /** Loads a cgroup device eBPF program and makes it the only one on the cgroup2 dir. */
  attachDeviceFilter(cgroupDir: string, insns: Buffer): void;
  /** prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants become our children (berth-shim). */
  setChildSubreaper(): void;
}

let loaded: NativeCore | undefined;

/** Loads the addon once (built by `pnpm run build:native` into native/build). */
export function nativeCore(): NativeCore {
  if (loaded) return loaded;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const require = createRequire(import.meta.url);
  // src/native/core.ts and dist/native/core.js sit two levels below the
  // package, the bundled dist/berth-runc.mjs one level.
  const candidates = ['../../native/build/Release/berth_core.node', '../native/build/Release/berth_core.node'].map((p) =>
    path.resolve(here, p),
  );
  const addon = candidates.find((p) => fs.existsSync(p)) ?? (candidates[0] as string);
  loaded = require(addon) as NativeCore;
  return loaded;
}
