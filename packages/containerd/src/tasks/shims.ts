/**
 * The live shims, one per task, by namespace and container id, and how they
 * are found again after a restart: each bundle under
 * <state>/io.containerd.runtime.v2.task/<ns>/<id>/ holds the shim's address.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { Task } from '../gen/containerd/runtime/v2/task/shim_pb.js';
import { connect, createClient } from '../grpc/client.js';
import type { ClientOf } from '../grpc/types.js';
import type { Logger } from '../log.js';
import { cleanupDeadShim, type DeadShimExit } from './shim-launcher.js';

/** Told the exit of a task whose shim was found dead (containerd publishes /tasks/exit for it). */
export type DeadShimListener = (namespace: string, id: string, exit: DeadShimExit) => void;

export const runtimeDir = (state: string) => path.join(state, 'io.containerd.runtime.v2.task');
export const bundleDir = (state: string, ns: string, id: string) => path.join(runtimeDir(state), ns, id);

export interface ShimHandle {
  namespace: string;
  id: string;
  bundle: string;
  address: string;
  client: ClientOf<typeof Task>;
  channel: grpc.Client;
}

export class ShimRegistry {
  private readonly shims = new Map<string, ShimHandle>();

  constructor(
    private readonly state: string,
    private readonly containerdAddress: string,
    private readonly log: Logger,
    private readonly onDeadShim: DeadShimListener = () => undefined,
  ) {}

  private key(ns: string, id: string): string {
    return `${ns}/${id}`;
  }

  get(ns: string, id: string): ShimHandle | undefined {
    return this.shims.get(this.key(ns, id));
  }

  list(ns: string): ShimHandle[] {
    return [...this.shims.values()].filter((s) => s.namespace === ns);
  }

  attach(ns: string, id: string, bundle: string, address: string): ShimHandle {
    const channel = connect(address);
    const handle: ShimHandle = { namespace: ns, id, bundle, address, channel, client: createClient(Task, channel) };
    this.shims.set(this.key(ns, id), handle);
    return handle;
  }

  detach(ns: string, id: string): void {
    const s = this.shims.get(this.key(ns, id));
    s?.channel.close();
    this.shims.delete(this.key(ns, id));
  }

  /**
   * After a restart: reconnect to every shim that still answers; for one that
   * is gone, run the shim's own cleanup (runtime delete, unmount), drop the
   * bundle and report the exit it printed, as containerd's runtime v2 manager
   * does on load (cleanupAfterDeadShim publishes /tasks/exit).
   */
  async reconnectAll(): Promise<void> {
    const root = runtimeDir(this.state);
    const namespaces = await fs.readdir(root).catch(() => [] as string[]);
    for (const ns of namespaces) {
      for (const id of await fs.readdir(path.join(root, ns)).catch(() => [] as string[])) {
        const bundle = bundleDir(this.state, ns, id);
        const address = (await fs.readFile(path.join(bundle, 'address'), 'utf8').catch(() => '')).trim();
        if (address !== '') {
          const handle = this.attach(ns, id, bundle, address);
          try {
            await handle.client.connect({ id }, { deadline: 5000 });
            this.log.info('reconnected to shim', { namespace: ns, id, address });
            continue;
          } catch (err) {
            this.log.warn('shim is gone, cleaning up', { namespace: ns, id, error: (err as Error).message });
            this.detach(ns, id);
          }
        }
        const exit = await cleanupDeadShim({ namespace: ns, id, bundle, containerdAddress: this.containerdAddress });
        // A shim killed outright leaves its socket file behind.
        if (address.startsWith('unix://')) await fs.rm(address.slice('unix://'.length), { force: true });
        await fs.rm(bundle, { recursive: true, force: true });
        if (exit) this.onDeadShim(ns, id, exit);
      }
    }
  }

  closeAll(): void {
    for (const s of this.shims.values()) s.channel.close();
    this.shims.clear();
  }
}
