/** Where the built programs and the busybox rootfs live (make build, make rootfs). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = (name: string) => path.join(repoRoot, 'bin', name);
export const busyboxRootfs = path.join(repoRoot, 'images/busybox/rootfs');
