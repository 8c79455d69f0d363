/**
 * A container's network namespace while it runs ("sandbox" in libnetwork's
 * words): made before its first endpoint, shared by all its endpoints (eth0,
 * eth1, ...), removed when its run ends. <exec-root>/netns/<container ID>.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createNetns, removeNetns } from './netns.js';

export const sandboxPath = (execRoot: string, id: string) => path.join(execRoot, 'netns', id);

export async function createSandbox(execRoot: string, id: string): Promise<string> {
  const file = sandboxPath(execRoot, id);
  await removeNetns(file); // a leftover of a crashed run
  await createNetns(file);
  return file;
}

export async function removeSandbox(execRoot: string, id: string): Promise<void> {
  await removeNetns(sandboxPath(execRoot, id));
}

/** At start-up: namespaces of containers that are not running any more (berthd was down when they stopped). */
export async function sweepSandboxes(execRoot: string, isRunning: (id: string) => boolean): Promise<void> {
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.join(execRoot, 'netns'));
  } catch {
    return;
  }
  for (const id of names) if (!isRunning(id)) await removeNetns(sandboxPath(execRoot, id));
}
