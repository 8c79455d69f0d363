/**
 * berthd's view of berth-containerd: typed clients for the services it uses (version, images, content, leases, diff, snapshots, containers, tasks),
 * all in berthd's own containerd namespace (dockerd's "moby"), over one channel.
 */
import { connect, createClient } from '@berth/containerd/grpc/client';
import type { ClientOf } from '@berth/containerd/grpc/types';
import { Content } from '@berth/containerd/gen/containerd/services/content/v1/content_pb';
import { Diff } from '@berth/containerd/gen/containerd/services/diff/v1/diff_pb';
import { Snapshots } from '@berth/containerd/gen/containerd/services/snapshots/v1/snapshots_pb';
import { Leases } from '@berth/containerd/gen/containerd/services/leases/v1/leases_pb';
import { Containers } from '@berth/containerd/gen/containerd/services/containers/v1/containers_pb';
import { Images } from '@berth/containerd/gen/containerd/services/images/v1/images_pb';
import { Tasks } from '@berth/containerd/gen/containerd/services/tasks/v1/tasks_pb';
import { Version } from '@berth/containerd/gen/containerd/services/version/v1/version_pb';
import { Events } from '@berth/containerd/gen/containerd/services/events/v1/events_pb';

export interface Containerd {
  readonly address: string;
  readonly namespace: string;
  readonly version: ClientOf<typeof Version>;
  readonly images: ClientOf<typeof Images>;
  readonly content: ClientOf<typeof Content>;
  readonly leases: ClientOf<typeof Leases>;
  readonly diff: ClientOf<typeof Diff>;
  readonly snapshots: ClientOf<typeof Snapshots>;
  readonly containers: ClientOf<typeof Containers>;
  readonly tasks: ClientOf<typeof Tasks>;
  readonly events: ClientOf<typeof Events>;
  close(): void;
}

export function connectContainerd(address: string, namespace: string): Containerd {
  const channel = connect(address);
  const defaults = { namespace };
  return {
    address,
    namespace,
    version: createClient(Version, channel, defaults),
    images: createClient(Images, channel, defaults),
    content: createClient(Content, channel, defaults),
    leases: createClient(Leases, channel, defaults),
    diff: createClient(Diff, channel, defaults),
    snapshots: createClient(Snapshots, channel, defaults),
    containers: createClient(Containers, channel, defaults),
    tasks: createClient(Tasks, channel, defaults),
    events: createClient(Events, channel, defaults),
    close: () => channel.close(),
  };
}

/** A short deadline for the calls /version and /info make: they must answer even when containerd does not. */
export const quickCall = { deadline: 5_000 };
