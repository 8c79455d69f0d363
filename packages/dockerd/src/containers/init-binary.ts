/** The init for --init when berthd is not told one: docker-init, else tini's static build, on PATH or in /usr/bin. */
import fs from 'node:fs';
import path from 'node:path';

export function findInitBinary(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/libexec/docker', '/usr/bin', '/usr/sbin'];
  for (const name of ['docker-init', 'tini-static']) {
    for (const dir of dirs) {
      const p = path.join(dir, name);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      } catch {
        // next
      }
    }
  }
  return undefined;
}
