/** A container event's Actor.Attributes as dockerd fills them: the container's labels, then image and name, then the event's own. */
import type { ContainerRecord } from './model.js';

export function containerAttributes(rec: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
  return { ...rec.config.Labels, image: rec.imageName, name: rec.name.slice(1), ...extra };
}
