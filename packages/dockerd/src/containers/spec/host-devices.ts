/** The host's device nodes, which --privileged containers get (as docker's WithDevices for privileged). */
import fs from 'node:fs';
import path from 'node:path';
import type { LinuxDevice } from './oci.js';

const skip = new Set(['/dev/pts', '/dev/shm', '/dev/mqueue', '/dev/fd', '/dev/console', '/dev/ptmx']);

export function hostDevices(dir = '/dev', out: LinuxDevice[] = []): LinuxDevice[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = path.join(dir, name);
    if (skip.has(p)) continue;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) hostDevices(p, out);
    else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const rdev = st.rdev;
      const major = Number((BigInt(rdev) >> 8n) & 0xfffn);
      const minor = Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & 0xfff00n));
      out.push({ path: p, type: st.isCharacterDevice() ? 'c' : 'b', major, minor, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
    }
  }
  return out;
}
