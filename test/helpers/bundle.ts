/**
 * Test bundles: a private copy of the busybox rootfs and a config.json made from
 * runc's default spec, under a temp root the test owns and removes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { defaultSpec } from '../../packages/runc/src/spec/default-spec.js';
import type { Spec } from '../../packages/runc/src/spec/types.js';
import { busyboxRootfs } from './paths.js';

export interface Bundle {
  dir: string;
  rootfs: string;
  spec: Spec;
  write(spec?: Spec): void;
}

export function tempRoot(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `berth-${prefix}-`));
}

let counter = 0;
/** A unique container id: tests on one machine never collide (pid + counter). */
export function uniqueId(tag = 'c'): string {
  return `bt-${tag}-${process.pid}-${++counter}`;
}

export function makeBundle(parent: string, args: string[], mutate?: (s: Spec) => void): Bundle {
  const dir = fs.mkdtempSync(path.join(parent, 'bundle-'));
  const rootfs = path.join(dir, 'rootfs');
  execFileSync('cp', ['-a', busyboxRootfs, rootfs]);
  const spec = defaultSpec();
  if (!spec.process) throw new Error('default spec has no process');
  spec.process.terminal = false;
  spec.process.args = args;
  mutate?.(spec);
  const b: Bundle = {
    dir,
    rootfs,
    spec,
    write(s = b.spec) {
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(s, null, 2));
    },
  };
  b.write();
  return b;
}
