/**
 * A file replaced all at once: written to "<file>.tmp", fsynced, renamed over
 * the file. A crash leaves the old content or the new, never half of either
 * (berthd's records: containers, volumes, IPAM, endpoints, the engine ID).
 */
import fs from 'node:fs';

export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
