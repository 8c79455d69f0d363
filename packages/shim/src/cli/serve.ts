/**
 * The shim daemon (`serve`, spawned detached by `start`): becomes a child
 * subreaper, serves containerd.task.v2.Task on its unix socket, writes its
 * address and pid into the bundle, and tells `start` on fd 3 that it serves.
 * Nothing here depends on containerd's connection staying up: the task API is
 * served to whoever connects, and events wait in their queue until delivered.
 */
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { nativeCore } from '@berth/runc';
import { Task as TaskApi } from '@berth/containerd/gen/containerd/runtime/v2/task/shim_pb';
import { serveService } from '@berth/containerd/grpc/serve';
import { EventQueue } from '../events/queue.js';
import { grpcDeliver } from '../events/publisher.js';
import { forwardingLogger, LogSink, shimLogger, type Logger } from '../log.js';
import { bundleFiles, defaultSocketPath, socketAddress } from '../paths.js';
import { nativeReapOne, Reaper } from '../reaper.js';
import { ShimService, type Binding } from '../service.js';
import type { ShimFlags } from './flags.js';
import { listenSocket } from './socket.js';

/** Writes file atomically (temp + rename): containerd may read it at any moment. */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Tells `start` how it went, on the pipe it gave us as fd 3 (absent when run by hand). */
function report(message: { address: string } | { error: string }): void {
  try {
    fs.writeSync(3, `${JSON.stringify(message)}\n`);
    fs.closeSync(3);
  } catch {
    // not started by `start`
  }
}

export async function serve(flags: ShimFlags): Promise<void> {
  const sink = new LogSink(flags.bundle !== '' ? bundleFiles(flags.bundle).log : flags.log);
  let current: Logger = shimLogger(sink, flags.logLevel, { id: flags.id || undefined, namespace: flags.namespace || undefined, shimPid: process.pid });
  const log = forwardingLogger(() => current);
  // The shim's death would orphan the container and lose its exit status: a bug
  // in one call is logged, and the shim goes on serving the rest.
  process.on('uncaughtException', (err) => log.error('uncaught exception', { error: err, stack: err.stack }));
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { error: err }));
  const socketPath = flags.socket || defaultSocketPath(flags.address, flags.namespace, flags.id);
  const core = nativeCore();
  try {
    core.setChildSubreaper();
    const binding: Binding = { id: flags.id, bundle: flags.bundle, namespace: flags.namespace };
    const instance = `${process.pid}-${Date.now()}`;
    const delivery = flags.address !== '' ? grpcDeliver({ address: flags.address, namespace: () => binding.namespace }, instance) : undefined;
    const queue = new EventQueue(delivery?.deliver ?? (async () => {}), log);
    const reaper = new Reaper(nativeReapOne(core.waitpid), log);
    reaper.start();
    const server = new grpc.Server();
    const writeBundleFiles = (bundle: string) => {
      const files = bundleFiles(bundle);
      writeAtomic(files.address, socketAddress(socketPath));
      writeAtomic(files.shimPid, String(process.pid));
    };
    let exiting = false;
    // Let the reply go out, deliver what is queued (containerd is up: it just called), then exit.
    const shutdown = () => {
      if (exiting) return;
      exiting = true;
      log.info('shutting down');
      setTimeout(async () => {
        const delivered = await queue.flush(5_000);
        if (!delivered) log.warn('exiting with undelivered events', { pending: queue.size });
        reaper.stop();
        delivery?.close();
        server.forceShutdown();
        fs.rmSync(socketPath, { force: true });
        process.exit(0);
      }, 10);
    };
    const service = new ShimService(
      binding,
      { core, reaper, publish: (e) => queue.publish(e.topic, e.event), log, runtimeRoot: flags.runtimeRoot },
      {
        bind(b) {
          const wasSpare = binding.bundle === '';
          Object.assign(binding, b);
          if (wasSpare) sink.moveTo(bundleFiles(b.bundle).log);
          current = shimLogger(sink, flags.logLevel, { id: b.id, namespace: b.namespace, shimPid: process.pid });
          if (wasSpare) writeBundleFiles(b.bundle);
          log.info('bound', { bundle: b.bundle });
        },
        shutdown,
      },
    );
    serveService(server, TaskApi, service.impl(), { log });
    await listenSocket(server, socketPath);
    if (flags.bundle !== '') writeBundleFiles(flags.bundle);
    // A signal meant for containerd's process group must not take the container's shim down.
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => {
        if (service.deleted) shutdown();
        else log.warn(`${sig} ignored: the container is not deleted`);
      });
    }
    log.info('serving', { address: socketAddress(socketPath) });
    report({ address: socketAddress(socketPath) });
  } catch (err) {
    log.error('cannot start', { error: err });
    report({ error: (err as Error).message });
    process.exit(1);
  }
}
