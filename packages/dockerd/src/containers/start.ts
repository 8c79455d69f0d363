/**
 * Starting a container as dockerd does with containerd: a fresh containerd
 * container record with this run's OCI spec over the container's snapshot,
 * stdio fifos, the task created (the shim and runtime set it up), berthd's
 * ends of the fifos opened, then the task started. A failure at any step
 * undoes the earlier ones and leaves the container stopped with docker's exit
 * code for it (127: command not found, 126: not executable) and the error.
 */
import fs from 'node:fs';
import { conflict, failedPrecondition, internal, invalidArgument } from '@berth/errors';
import { removeTaskAndRecord } from './cleanup.js';
import { removeContainer } from './remove.js';
import type { Container } from './container.js';
import type { ContainerRecord } from './model.js';
import { cgroupsPathOf, fifoDir, runtimeName, snapshotter, type Engine } from './engine.js';
import { fifoPaths, makeFifos, removeFifos } from './fifos.js';
import { connectInitIO, disconnectInitIO } from './io.js';
import { nowRfc3339Nano } from '../logs/time.js';
import { buildSpec } from './spec/build.js';
import { containerCapabilities } from './spec/capabilities.js';
import { hostDevices } from './spec/host-devices.js';
import { userMounts } from './spec/mounts.js';
import { layerDirs, readRootfsFile } from './spec/rootfs-files.js';
import { seccompFor } from './spec/seccomp.js';
import { parseSecurityOpts } from './spec/security-opts.js';
import { resolveUser } from './spec/user.js';
import { containerAttributes } from './event-attributes.js';
import { joinNetwork, leaveNetwork } from '../network/container.js';
import { startHealth } from './health.js';

export const specTypeUrl = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';

/**
 * --network container:<ref>: the other container's network namespace (it must
 * be running), and its /etc/hosts and /etc/resolv.conf, as docker shares them.
 */
function joinContainerNetwork(e: Engine, rec: ContainerRecord): string {
  const ref = rec.hostConfig.NetworkMode.slice('container:'.length);
  const other = e.store.get(ref).record;
  if (other.id === rec.id) throw invalidArgument('cannot join own network');
  if (other.state.Status !== 'running' && other.state.Status !== 'paused') throw conflict(`cannot join network of a non running container: ${other.id}`);
  for (const [from, to] of [[other.hostsPath, rec.hostsPath], [other.resolvConfPath, rec.resolvConfPath]] as const) fs.copyFileSync(from, to);
  return `/proc/${other.state.Pid}/ns/net`;
}

/** docker's exit code for a start that failed: 127 not found, 126 cannot execute, else 128. */
export function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory|not found in \$PATH/i.test(message)) return 127;
  if (/permission denied|is a directory|exec format error/i.test(message)) return 126;
  return 128;
}

async function specFor(e: Engine, c: Container, mounts: { type: string; source: string; options: string[] }[], netnsPath: string | undefined) {
  const rec = c.record;
  const hc = rec.hostConfig;
  const dirs = layerDirs(mounts);
  const user = resolveUser(rec.config.User, readRootfsFile(dirs, '/etc/passwd'), readRootfsFile(dirs, '/etc/group'), (hc.GroupAdd as string[] | null | undefined) ?? []);
  const capabilities = containerCapabilities(hc.Privileged, hc.CapAdd, hc.CapDrop);
  const sec = parseSecurityOpts(hc.SecurityOpt);
  return buildSpec({
    record: rec,
    user,
    capabilities,
    seccomp: hc.Privileged ? undefined : seccompFor(sec.seccomp, capabilities),
    noNewPrivileges: sec.noNewPrivileges,
    userMounts: userMounts(hc),
    cgroupsPath: cgroupsPathOf(e, rec.id),
    initPath: e.settings.initPath,
    hostDevices: hc.Privileged ? hostDevices() : [],
    netnsPath,
  });
}

/** Starts the container's task; the caller holds the container's lock. */
export async function startTask(e: Engine, c: Container): Promise<void> {
  const rec = c.record;
  const id = rec.id;
  const { mounts } = await e.ctr.snapshots.mounts({ snapshotter, key: id });
  const rootfs = mounts.map((m) => ({ type: m.type, source: m.source, target: m.target, options: [...m.options] }));
  if (rec.hostConfig.Init === true && e.settings.initPath === undefined) throw invalidArgument('--init: no init binary found (install tini, or give berthd --init-path)');
  const fifos = fifoPaths(fifoDir(e, id), 'init', rec.config.OpenStdin, rec.config.Tty);
  // the network first: a published port in use fails the start before containerd hears of it
  const netnsPath = rec.hostConfig.NetworkMode.startsWith('container:') ? joinContainerNetwork(e, rec) : await joinNetwork(rec);
  try {
    const spec = await specFor(e, c, rootfs, netnsPath);
    await e.ctr.containers.delete({ id }).catch(() => undefined); // left by a crash
    await e.ctr.containers.create({
      container: {
        id,
        image: rec.imageName,
        labels: { 'com.docker/engine.bundle.path': '' },
        runtime: { name: runtimeName },
        spec: { typeUrl: specTypeUrl, value: Buffer.from(JSON.stringify(spec)) },
        snapshotter,
        snapshotKey: id,
      },
    });
  } catch (err) {
    await leaveNetwork(id);
    throw err;
  }
  let taskCreated = false;
  try {
    makeFifos(fifoDir(e, id), fifos);
    const { pid } = await e.ctr.tasks.create({ containerId: id, rootfs, stdin: fifos.stdin, stdout: fifos.stdout, stderr: fifos.stderr, terminal: rec.config.Tty });
    taskCreated = true;
    c.oomKilled = false;
    connectInitIO(c, fifos, () => void e.ctr.tasks.closeIO({ containerId: id, execId: '', stdin: true }).catch(() => undefined));
    await e.ctr.tasks.start({ containerId: id, execId: '' });
    rec.state = { ...rec.state, Status: 'running', Pid: pid, ExitCode: 0, Error: '', OOMKilled: false, StartedAt: nowRfc3339Nano() };
    rec.hasBeenStarted = true;
    startHealth(e, c);
    e.store.save(c);
  } catch (err) {
    if (taskCreated) disconnectInitIO(c);
    await removeTaskAndRecord(e, id, taskCreated);
    removeFifos(fifos);
    await leaveNetwork(id);
    const message = `failed to ${taskCreated ? 'start' : 'create'} task for container: ${(err as Error).message}`;
    const code = startFailureCode(message);
    rec.state = { ...rec.state, Status: rec.hasBeenStarted ? 'exited' : 'created', Pid: 0, ExitCode: code, Error: message };
    e.store.save(c);
    // moby: a command that cannot be run is the caller's mistake (400), the rest is the daemon's (500)
    throw code === 128 ? internal(message, err) : invalidArgument(message, err);
  }
  e.events.publish('container', 'start', id, containerAttributes(rec));
}

/** POST /containers/{id}/start. */
export async function startContainer(e: Engine, c: Container): Promise<'started' | 'already'> {
  return c.serial(async () => {
    const s = c.record.state.Status;
    if (s === 'paused') throw conflict('cannot start a paused container, try unpause instead');
    if (s === 'running' || s === 'restarting') return 'already';
    if (s === 'removing' || s === 'dead') throw failedPrecondition(`container is marked for removal and cannot be started`);
    // an explicit start clears an earlier stop (restarts by policy do not)
    c.record.manuallyStopped = false;
    try {
      await startTask(e, c);
    } catch (err) {
      // attached clients (docker run) see the end of the stream; --rm removes the container, as dockerd does
      c.emitEnd();
      c.notifyExit({ exitCode: c.record.state.ExitCode, error: c.record.state.Error });
      if (c.record.hostConfig.AutoRemove) await removeContainer(e, c, { force: true, removeVolumes: true, locked: true }).catch(() => undefined);
      throw err;
    }
    return 'started';
  });
}
