/** Every event type containerd publishes, to decode an Envelope's Any (filters on event.<field>). */
import { createRegistry, type Registry } from '@bufbuild/protobuf';
import { file_containerd_events_container } from '../gen/containerd/events/container_pb.js';
import { file_containerd_events_content } from '../gen/containerd/events/content_pb.js';
import { file_containerd_events_image } from '../gen/containerd/events/image_pb.js';
import { file_containerd_events_namespace } from '../gen/containerd/events/namespace_pb.js';
import { file_containerd_events_snapshot } from '../gen/containerd/events/snapshot_pb.js';
import { file_containerd_events_task } from '../gen/containerd/events/task_pb.js';

export const eventRegistry: Registry = createRegistry(
  file_containerd_events_container,
  file_containerd_events_content,
  file_containerd_events_image,
  file_containerd_events_namespace,
  file_containerd_events_snapshot,
  file_containerd_events_task,
);
