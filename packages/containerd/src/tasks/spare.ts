/**
 * One pre-started spare berth-shim (design.md, "Shim and restart model"): a
 * Node process takes ~100 ms to boot and `berth-shim start` is two of them, so
 * a Create takes the spare, if one is ready, and a new spare is started in the
 * background. The spare's address is kept in <state>/berth-spare-shim so a
 * daemon that was killed can shut down the spare it left behind. Off with
 * BERTH_CONTAINERD_SPARE_SHIM=0.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Task } from '../gen/containerd/runtime/v2/task/shim_pb.js';
import { connect, createClient } from '../grpc/client.js';
import type { Logger } from '../log.js';
import { startSpareShim } from './shim-launcher.js';

export class SpareShims {
  private ready: string | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;
  private readonly file: string;

  constructor(
    state: string,
    private readonly containerdAddress: string,
    private readonly log: Logger,
    readonly enabled = process.env.BERTH_CONTAINERD_SPARE_SHIM !== '0',
  ) {
    this.file = path.join(state, 'berth-spare-shim');
  }

  /** Shuts down a spare left by a previous daemon, then starts one. */
  async init(): Promise<void> {
    const left = (await fs.readFile(this.file, 'utf8').catch(() => '')).trim();
    if (left !== '') await shutdownShim(left);
    await fs.rm(this.file, { force: true });
    this.refill();
  }

  /** The address of a ready spare (now the caller's), or undefined; a new spare starts in the background. */
  take(): string | undefined {
    const address = this.ready;
    this.ready = undefined;
    if (address !== undefined) void fs.rm(this.file, { force: true });
    this.refill();
    return address;
  }

  private refill(): void {
    if (!this.enabled || this.closed || this.ready !== undefined || this.starting) return;
    this.starting = (async () => {
      try {
        const address = await startSpareShim(this.containerdAddress);
        if (this.closed) {
          await shutdownShim(address);
          return;
        }
        await fs.writeFile(this.file, address);
        this.ready = address;
      } catch (err) {
        this.log.warn('spare shim', { error: (err as Error).message });
      } finally {
        this.starting = undefined;
      }
    })();
  }

  /** Shuts the spare down (daemon closing). */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting;
    const address = this.ready;
    this.ready = undefined;
    if (address !== undefined) {
      await shutdownShim(address);
      await fs.rm(this.file, { force: true });
    }
  }
}

/** Shutdown of a shim without a container: it removes its socket and exits. */
async function shutdownShim(address: string): Promise<void> {
  const channel = connect(address);
  try {
    await createClient(Task, channel).shutdown({ id: '', now: true }, { deadline: 2000 });
  } catch {
    // already gone, or exiting while it answers
  } finally {
    channel.close();
  }
}
