/** The init for --init when berthd is not told one: docker-init, else tini's static build, on PATH or in the usual system dirs. */
import { findOnPath } from '../system/runtime.js';

export function findInitBinary(): string | undefined {
  const dirs = [process.env.PATH ?? '', '/usr/libexec/docker', '/usr/bin', '/usr/sbin'].join(':');
  return findOnPath('docker-init', dirs) ?? findOnPath('tini-static', dirs);
}
