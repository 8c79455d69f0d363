/**
 * Create's runtime options (containerd.runc.v1.Options, what `ctr run
 * --runc-binary` and containerd's runtime config send) and the runtime they
 * select. Kept in <bundle>/options.json so that `berth-shim delete` can clean up
 * with the same runtime after the shim is gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Any } from '@bufbuild/protobuf/wkt';
import { invalidArgument } from '@berth/errors';
import type { NativeCore } from '@berth/runc';
import { OptionsSchema } from '@berth/containerd/gen/containerd/runtime/v2/runc/options/oci_pb';
import { unpackAs } from '@berth/containerd/typeurl';
import type { Logger } from '../log.js';
import { BinaryRuntime } from './binary.js';
import { LibraryRuntime } from './library.js';
import type { Runtime } from './runtime.js';

export interface RuntimeOptions {
  /** '' = the in-process library. */
  binaryName: string;
  /** The runtime's state root (already joined with the namespace). */
  root: string;
  noPivotRoot: boolean;
  noNewKeyring: boolean;
  systemdCgroup: boolean;
  ioUid: number;
  ioGid: number;
}

export function decodeOptions(any: Any | undefined, defaultRoot: string, namespace: string, log: Logger): RuntimeOptions {
  const out: RuntimeOptions = {
    binaryName: '',
    root: path.join(defaultRoot, namespace),
    noPivotRoot: false,
    noNewKeyring: false,
    systemdCgroup: false,
    ioUid: 0,
    ioGid: 0,
  };
  if (any === undefined || any.typeUrl === '') return out;
  if (!/(^|\/)containerd\.runc\.v1\.Options$/.test(any.typeUrl)) throw invalidArgument(`unsupported runtime options type ${any.typeUrl}`);
  const o = unpackAs(any, OptionsSchema);
  if (o.criuPath !== '' || o.criuImagePath !== '' || o.criuWorkPath !== '') log.warn('CRIU options ignored: checkpoint/restore is not supported');
  if (o.shimCgroup !== '') log.warn('shim_cgroup ignored: the shim stays in the cgroup it was started in', { shimCgroup: o.shimCgroup });
  out.binaryName = o.binaryName;
  // containerd's runc shim: the runtime root is <root>/<namespace> whatever the root.
  if (o.root !== '') out.root = path.join(o.root, namespace);
  out.noPivotRoot = o.noPivotRoot;
  out.noNewKeyring = o.noNewKeyring;
  out.systemdCgroup = o.systemdCgroup;
  out.ioUid = o.ioUid;
  out.ioGid = o.ioGid;
  return out;
}

export function saveOptions(file: string, options: RuntimeOptions): void {
  fs.writeFileSync(file, `${JSON.stringify(options)}\n`, { mode: 0o600 });
}

export function loadOptions(file: string): RuntimeOptions | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as RuntimeOptions;
  } catch {
    return undefined;
  }
}

export function selectRuntime(options: RuntimeOptions, runtimeLog: string, core: NativeCore, log: Logger): Runtime {
  if (options.binaryName === '') return new LibraryRuntime(options.root, core, log);
  return new BinaryRuntime({ binary: options.binaryName, root: options.root, logFile: runtimeLog, systemdCgroup: options.systemdCgroup }, core);
}
