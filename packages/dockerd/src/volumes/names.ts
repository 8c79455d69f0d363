/**
 * Volume names as the local driver takes them: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`
 * (so at least two characters), and 64-hex random names for anonymous
 * volumes, like container IDs. The texts are moby's, behind "create <name>: ".
 */
import { randomBytes } from 'node:crypto';
import { invalidArgument } from '@berth/errors';

const validName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function checkVolumeName(name: string): void {
  if (name.length === 1) throw invalidArgument(`create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  if (!validName.test(name)) {
    throw invalidArgument(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

export function anonymousVolumeName(): string {
  return randomBytes(32).toString('hex');
}

/** docker labels the volumes it makes for a container (image VOLUME, -v /path, a --mount without source). */
export const anonymousLabel = 'com.docker.volume.anonymous';
