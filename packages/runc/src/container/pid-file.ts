import fs from 'node:fs';
import path from 'node:path';

/** Writes the pid the way runc does: to a temp file renamed into place, no newline. */
export function writePidFile(file: string, pid: number): void {
  const abs = path.resolve(file);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}`);
  fs.writeFileSync(tmp, String(pid), { mode: 0o666 & ~process.umask() });
  fs.renameSync(tmp, abs);
}
