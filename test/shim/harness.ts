/**
 * Test harness for bin/berth-shim: starts shims the way berth-containerd will
 * (`berth-shim ... start`), connects gRPC clients to them, makes stdio fifos
 * and reads them, and runs a fake containerd events service (a peer that
 * records what the shim publishes). Everything lives under the test's temp
 * root; only pids this harness started are ever killed.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { AnySchema, type Any } from '@bufbuild/protobuf/wkt';
import { Task } from '../../packages/containerd/src/gen/containerd/runtime/v2/task/shim_pb.js';
import { Events } from '../../packages/containerd/src/gen/containerd/services/events/v1/events_pb.js';
import { connect, createClient } from '../../packages/containerd/src/grpc/client.js';
import { serveService } from '../../packages/containerd/src/grpc/serve.js';
import type { ClientOf } from '../../packages/containerd/src/grpc/types.js';
import { OptionsSchema } from '../../packages/containerd/src/gen/containerd/runtime/v2/runc/options/oci_pb.js';
import { expect } from 'vitest';
import { bin } from '../helpers/paths.js';

const execFileAsync = promisify(execFile);

export type TaskClient = ClientOf<typeof Task>;

export interface Shim {
  options: StartOptions;
  address: string;
  pid: number;
  client: TaskClient;
  channel: grpc.Client;
  close(): void;
}

export interface StartOptions {
  bundle: string;
  id: string;
  namespace?: string;
  /** containerd's socket for events ('' = none). */
  address?: string;
  runtimeRoot: string;
  socket: string;
}

export async function startShim(o: StartOptions): Promise<Shim> {
  const args = ['-runtime-root', o.runtimeRoot, '-socket', o.socket, '-debug'];
  // A spare shim (berth-containerd keeps one ready) knows neither id nor bundle nor namespace yet.
  if (o.id !== '') args.push('-namespace', o.namespace ?? 'test', '-id', o.id, '-bundle', o.bundle);
  if (o.address) args.push('-address', o.address);
  const { stdout } = await execFileAsync(bin('berth-shim'), [...args, 'start']);
  const shim = connectShim(o, stdout.trim());
  shim.pid = (await shim.client.connect({ id: o.id })).shimPid;
  if (o.id !== '') expect(Number(fs.readFileSync(path.join(o.bundle, 'shim.pid'), 'utf8'))).toBe(shim.pid);
  return shim;
}

/** A client of the shim at address; pid is filled in from Connect by startShim. */
export function connectShim(o: StartOptions, address: string, pid = 0): Shim {
  const channel = connect(address);
  const client = createClient(Task, channel, { namespace: o.namespace ?? 'test' });
  return { options: o, address, pid, client, channel, close: () => channel.close() };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function mkfifo(p: string): string {
  execFileSync('mkfifo', ['-m', '0600', p]);
  return p;
}

/** Reads a fifo (or file) into memory as it comes; `text` grows until end of file. */
export class FifoReader {
  text = '';
  ended: Promise<void>;
  private stream: fs.ReadStream;

  constructor(readonly path: string) {
    this.stream = fs.createReadStream(path, { encoding: 'utf8' });
    this.stream.on('data', (d) => {
      this.text += d as string;
    });
    this.ended = new Promise((resolve) => this.stream.on('close', () => resolve()));
  }

  close(): void {
    this.stream.destroy();
  }

  async waitFor(re: RegExp, timeoutMs = 10_000): Promise<string> {
    await waitFor(`${re} in ${this.path} (have ${JSON.stringify(this.text.slice(-200))})`, () => re.test(this.text), timeoutMs);
    return this.text;
  }
}

export function runcOptions(init: MessageInitShape<typeof OptionsSchema>): Any {
  return create(AnySchema, { typeUrl: 'containerd.runc.v1.Options', value: toBinary(OptionsSchema, create(OptionsSchema, init)) });
}

export function jsonAny(type: string, value: unknown): Any {
  return create(AnySchema, {
    typeUrl: `types.containerd.io/opencontainers/runtime-spec/1/${type}`,
    value: new TextEncoder().encode(JSON.stringify(value)),
  });
}

export interface Published {
  topic: string;
  namespace: string;
  seq: number;
  typeUrl: string;
  value: Uint8Array;
}

/** containerd's events service, as far as a shim uses it: Publish, recorded. */
export class FakeEvents {
  readonly received: Published[] = [];
  private server: grpc.Server | undefined;

  constructor(readonly socket: string) {}

  async start(): Promise<void> {
    const server = new grpc.Server();
    serveService(server, Events, {
      publish: (req, ctx) => {
        const seq = Number(ctx.metadata.get('berth-shim-seq')[0] ?? 0);
        // A retried delivery the service already has: answer as berth-containerd will.
        if (this.received.some((e) => e.seq === seq && e.topic === req.topic)) return {};
        this.received.push({ topic: req.topic, namespace: ctx.namespace(), seq, typeUrl: req.event?.typeUrl ?? '', value: req.event?.value ?? new Uint8Array() });
        return {};
      },
    });
    fs.rmSync(this.socket, { force: true });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${this.socket}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
    );
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    fs.rmSync(this.socket, { force: true });
  }

  topics(): string[] {
    return this.received.map((e) => e.topic);
  }
}

/**
 * Kills a shim this test started, if it is still there, and cleans up its
 * container the way berth-containerd will after a shim died: `berth-shim delete`
 * (runtime delete --force, unmount the rootfs). Idempotent.
 */
export function killShim(shim: Shim | undefined): void {
  if (shim === undefined) return;
  shim.close();
  if (alive(shim.pid)) process.kill(shim.pid, 'SIGKILL');
  cleanupBundle(shim.options);
}

export function cleanupBundle(o: StartOptions): string {
  if (o.id === '') return '';
  return execFileSync(
    bin('berth-shim'),
    ['-namespace', o.namespace ?? 'test', '-id', o.id, '-bundle', o.bundle, '-runtime-root', o.runtimeRoot, 'delete'],
    { encoding: 'utf8' },
  );
}
