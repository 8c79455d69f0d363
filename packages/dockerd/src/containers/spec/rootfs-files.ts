/**
 * Reads a small file of an image's root filesystem without mounting it: the
 * snapshot's overlay mount names its layer directories (upper first, then
 * lowers, top to bottom), and the first layer that has the path wins. Used for
 * /etc/passwd and /etc/group. Any symlink on the way, or a whiteout, counts as
 * "no such file": a root daemon must not follow a link an image planted
 * (the CVE-2018-15664 family), and docker falls back to defaults then too.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SnapshotMount {
  type: string;
  source: string;
  options: string[];
}

/** The directories that make up the root, top layer first. */
export function layerDirs(mounts: SnapshotMount[]): string[] {
  const m = mounts[0];
  if (!m) return [];
  if (m.type === 'bind') return [m.source];
  const opt = (name: string) => m.options.find((o) => o.startsWith(`${name}=`))?.slice(name.length + 1);
  const upper = opt('upperdir');
  const lower = opt('lowerdir')?.split(':') ?? [];
  return [...(upper ? [upper] : []), ...lower];
}

const maxSize = 4 * 1024 * 1024;

/** The file's text, or undefined when no layer has it as a plain file. */
export function readRootfsFile(dirs: string[], file: string): string | undefined {
  const parts = file.split('/').filter(Boolean);
  for (const dir of dirs) {
    let p = dir;
    let blocked = false;
    for (const [i, part] of parts.entries()) {
      p = path.join(p, part);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        blocked = false;
        p = '';
        break;
      }
      const last = i === parts.length - 1;
      // a whiteout (0/0 char device) or a symlink hides everything below
      if (st.isSymbolicLink() || st.isCharacterDevice() || (!last && !st.isDirectory())) {
        blocked = true;
        break;
      }
      if (last) {
        if (!st.isFile() || st.size > maxSize) return undefined;
        return fs.readFileSync(p, 'utf8');
      }
    }
    if (blocked) return undefined;
  }
  return undefined;
}
