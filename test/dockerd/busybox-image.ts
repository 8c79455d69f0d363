/**
 * The busybox image the project builds (scripts/make-busybox-image.sh from
 * Debian's busybox-static) loaded into a daemon as busybox:latest through its
 * docker CLI: what most berthd tests start from.
 */
import path from 'node:path';
import { runCmd, type CmdResult } from '../helpers/daemon.js';
import { busyboxRootfs, repoRoot } from '../helpers/paths.js';

export function loadBusyboxImage(d: { dir: string; docker(args: string[], timeoutMs?: number): CmdResult }): void {
  const tar = path.join(d.dir, 'busybox.tar');
  const made = runCmd('bash', [path.join(repoRoot, 'scripts/make-busybox-image.sh'), busyboxRootfs, tar]);
  if (made.status !== 0) throw new Error(`make-busybox-image.sh: ${made.stderr}`);
  const load = d.docker(['load', '-i', tar], 120_000);
  if (load.status !== 0 || load.stdout.trim() !== 'Loaded image: busybox:latest') throw new Error(`docker load: ${load.stderr}${load.stdout}`);
}
