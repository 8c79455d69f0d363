/**
 * Container and image counts for /info, from berthd's containerd namespace:
 * every containerd container is a docker container; its task's status says
 * whether it is running or paused (no task, or a stopped one, is "stopped").
 */
import { Status } from '@berth/containerd/gen/containerd/types/task/task_pb';
import { quickCall, type Containerd } from '../containerd.js';

export interface Counts {
  containers: number;
  running: number;
  paused: number;
  stopped: number;
  images: number;
}

export async function counts(containerd: Containerd): Promise<Counts> {
  const [containers, tasks, images] = await Promise.all([
    containerd.containers.list({}, quickCall),
    containerd.tasks.list({}, quickCall),
    containerd.images.list({}, quickCall),
  ]);
  const ids = new Set(containers.containers.map((c) => c.id));
  let running = 0;
  let paused = 0;
  for (const task of tasks.tasks) {
    if (!ids.has(task.id)) continue;
    if (task.status === Status.RUNNING) running++;
    else if (task.status === Status.PAUSED || task.status === Status.PAUSING) paused++;
  }
  // docker counts images, not names: several tags of one image count once
  const distinct = new Set(images.images.map((i) => i.target?.digest ?? i.name));
  return { containers: ids.size, running, paused, stopped: ids.size - running - paused, images: distinct.size };
}
