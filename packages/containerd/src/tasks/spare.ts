/**
 * One pre-started spare berth-shim (design.md, "Shim and restart model"): a
 * Node process takes ~100 ms to boot and `berth-shim start` is two of them, so
 * a Create takes the spare, if one is ready, and a new spare is started in the
 * background. The spare's address is kept in <state>/berth-spare-shim so a
 * daemon that was killed can shut down the spare it left behind. Off with
 * BERTH_CONTAINERD_SPARE_SHIM=0.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Task } from '../gen/containerd/runtime/v2/task/shim_pb.js';
import { connect, createClient } from '../grpc/client.js';
import type { Logger } from '../log.js';
import { startSpareShim } from './shim-launcher.js';

/** Where berth-shim puts its sockets by default (packages/shim/src/paths.ts). */
const spareSocketDir = '/run/berth/s';

const exists = (p: string) => fs.access(p).then(() => true, () => false);

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

  /**
   * Shuts down a spare left by a previous daemon, then starts one. The address
   * is recorded before a spare is started, so even a spare that was still
   * booting when its daemon was killed is found: wait briefly for its socket.
   */
  async init(): Promise<void> {
    const left = (await fs.readFile(this.file, 'utf8').catch(() => '')).trim();
    if (left !== '') {
      const socket = left.replace(/^unix:\/\//, '');
      for (let i = 0; i < 40 && !(await exists(socket)); i++) await new Promise((r) => setTimeout(r, 50));
      await shutdownShim(left);
    }
    await fs.rm(this.file, { force: true });
    this.refill();
  }

  /** The address of a ready spare (now the caller's), or undefined; a new spare starts in the background. */
  take(): string | undefined {
    const address = this.ready;
    this.ready = undefined;
    // Synchronously, so the record of the next spare (written by refill) is never removed by this.
    if (address !== undefined) rmSync(this.file, { force: true });
    this.refill();
    return address;
  }

  private refill(): void {
    if (!this.enabled || this.closed || this.ready !== undefined || this.starting) return;
    this.starting = (async () => {
      // Record where the spare will listen before starting it: if we are killed
      // while it boots, the next daemon still finds and shuts it down.
      const socket = path.join(spareSocketDir, `spare-${randomBytes(12).toString('hex')}`);
      try {
        await fs.writeFile(this.file, `unix://${socket}`);
        const address = await startSpareShim(this.containerdAddress, socket);
        if (this.closed) {
          await shutdownShim(address);
          await fs.rm(this.file, { force: true });
          return;
        }
        this.ready = address;
      } catch (err) {
        await fs.rm(this.file, { force: true });
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
