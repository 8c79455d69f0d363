/** `state` and `list`: the runc-shaped view of containers in the state root. */
import fs from 'node:fs';
import os from 'node:os';
import type { RuntimeContext } from './context.js';
import { containerStatus, type ContainerStatus } from './status.js';
import { runcState, type RuncState } from './oci-state.js';

export function containerState(ctx: RuntimeContext, id: string): RuncState {
  const record = ctx.store.read(id);
  return runcState(record, containerStatus(record, ctx.store.dir(id)));
}

export function containerStatusOf(ctx: RuntimeContext, id: string): ContainerStatus {
  return containerStatus(ctx.store.read(id), ctx.store.dir(id));
}

/** The owner column: the user owning the state directory, as runc's list reports. */
function ownerOf(dir: string): string {
  try {
    const uid = fs.statSync(dir).uid;
    if (uid === process.getuid?.()) return os.userInfo().username;
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(uid));
    return line ? (line.split(':')[0] ?? `#${uid}`) : `#${uid}`;
  } catch {
    return '';
  }
}

export function listContainers(ctx: RuntimeContext): RuncState[] {
  const out: RuncState[] = [];
  for (const id of ctx.store.list()) {
    let record;
    try {
      record = ctx.store.read(id);
    } catch {
      continue; // a directory without state (being created or removed) is skipped, as by runc
    }
    const dir = ctx.store.dir(id);
    out.push(runcState(record, containerStatus(record, dir), ownerOf(dir)));
  }
  return out;
}
