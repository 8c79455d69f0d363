/**
 * `delete`: cleanup after a shim that is gone (containerd's `shim delete`),
 * run by berth-containerd when a bundle's shim no longer answers. Force-deletes
 * the container with the runtime the shim used (options.json), unmounts the
 * rootfs, and prints the init's exit as JSON on stdout:
 *   {"pid":123,"exitStatus":137,"exitedAt":"2024-..."}
 * from the exit file when the shim recorded one, else 137 (SIGKILL) and now,
 * as containerd-shim-runc-v2 answers.
 */
import fs from 'node:fs';
import { invalidArgument, isBerthError } from '@berth/errors';
import { nativeCore } from '@berth/runc';
import { LogSink, shimLogger } from '../log.js';
import { bundleFiles } from '../paths.js';
import { loadOptions, decodeOptions, selectRuntime } from '../runtime/options.js';
import { readExitRecord } from '../task/exit-file.js';
import { unmountRootfs } from '../task/rootfs.js';
import type { ShimFlags } from './flags.js';

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function deleteCommand(flags: ShimFlags): number {
  if (flags.id === '' || flags.bundle === '') throw invalidArgument('delete needs -id and -bundle');
  const files = bundleFiles(flags.bundle);
  const log = shimLogger(new LogSink(isDirectory(flags.bundle) ? files.log : ''), flags.logLevel, { id: flags.id, command: 'delete' });
  const options = loadOptions(files.options) ?? decodeOptions(undefined, flags.runtimeRoot, flags.namespace || 'default', log);
  const runtime = selectRuntime(options, files.runtimeLog, nativeCore(), log);
  try {
    runtime.delete(flags.id, true);
  } catch (err) {
    if (!isBerthError(err, 'NotFound')) log.warn('runtime delete failed', { error: err });
  }
  try {
    unmountRootfs(files.rootfs);
  } catch (err) {
    log.warn('unmounting the rootfs failed', { error: err });
  }
  const exit = readExitRecord(files.exits, '');
  let pid = exit?.pid ?? 0;
  if (pid === 0) {
    try {
      pid = Number.parseInt(fs.readFileSync(files.initPid, 'utf8'), 10) || 0;
    } catch {
      // never created
    }
  }
  const out = { pid, exitStatus: exit?.exitStatus ?? 137, exitedAt: exit?.exitedAt ?? new Date().toISOString() };
  log.info('deleted', out);
  process.stdout.write(`${JSON.stringify(out)}\n`);
  return 0;
}
