/**
 * A volume's disk usage as moby's directory.Size counts it for `system df`:
 * the sizes of the files under _data, each inode once (hard links), without
 * following symlinks. Unreadable entries are skipped: df is a report, not a check.
 */
import fs from 'node:fs';
import path from 'node:path';

export function directorySize(root: string): number {
  const seen = new Set<bigint>();
  let total = 0;
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
        continue;
      }
      let st: fs.BigIntStats;
      try {
        st = fs.lstatSync(p, { bigint: true });
      } catch {
        continue;
      }
      if (st.nlink > 1n) {
        if (seen.has(st.ino)) continue;
        seen.add(st.ino);
      }
      total += Number(st.size);
    }
  };
  walk(root);
  return total;
}
