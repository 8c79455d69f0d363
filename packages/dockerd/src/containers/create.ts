/**
 * POST /containers/create: checks the request, resolves the image, prepares
 * the container's writable snapshot (under a lease named after the container,
 * so GC keeps it while the container exists), writes its hosts files and its
 * record. Volumes are resolved, made when missing and filled from the image
 * (copy-up) here too, as moby does at create. Anything half-done is undone
 * when a step fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { invalidArgument, isBerthError, notFound } from '@berth/errors';
import { findImage } from '../images/store.js';
import { chainIds } from '../images/unpack.js';
import { Container } from './container.js';
import { commandOf, configFromBody, hostConfigFromBody, mergeImageConfig, type ImageDefaults } from './create-config.js';
import { snapshotter, type Engine } from './engine.js';
import { hostsFile, resolvConf } from './host-files.js';
import { checkName, newContainerId, randomName } from './names.js';
import { zeroTime, type ContainerRecord } from './model.js';
import { containerCapabilities } from './spec/capabilities.js';
import { userMounts } from './spec/mounts.js';
import { checkResources, rlimits } from './spec/resources.js';
import { parseSecurityOpts } from './spec/security-opts.js';
import { seccompFor } from './spec/seccomp.js';
import { jsonFileOptions } from '../logs/json-file-writer.js';
import { nowRfc3339Nano } from '../logs/time.js';
import { copyImageContent } from '../volumes/copy-up.js';
import { volumeStore } from '../volumes/registry.js';
import { applyVolumes, planVolumes, type AppliedVolumes } from '../volumes/resolve.js';
import { announceCreated } from '../volumes/service.js';
import { containerAttributes } from './event-attributes.js';
import { endpointsForCreate } from '../network/create-endpoints.js';
import { networks } from '../network/registry.js';

export interface CreateResult {
  Id: string;
  Warnings: string[];
}

export const leaseOf = (id: string) => `berth-container-${id}`;

function pickName(e: Engine, requested: string, id: string): string {
  if (requested !== '') {
    const name = checkName(requested);
    e.store.reserveName(name, id);
    return name;
  }
  for (let retry = 0; ; retry++) {
    const name = `/${randomName(retry)}`;
    if (!e.store.hasName(name)) {
      e.store.reserveName(name, id);
      return name;
    }
  }
}

export async function createContainer(e: Engine, body: Record<string, unknown>, requestedName: string): Promise<CreateResult> {
  const userConfig = configFromBody(body);
  const hostConfig = hostConfigFromBody(body.HostConfig);
  if (userConfig.Image === '') throw invalidArgument('config cannot be empty in order to create a container');
  const endpointsConfig = endpointsForCreate(networks(), hostConfig, body.NetworkingConfig, typeof body.MacAddress === 'string' ? body.MacAddress : '');
  // the checks that need no state, before anything is reserved
  const warnings = checkResources(hostConfig);
  const caps = containerCapabilities(hostConfig.Privileged, hostConfig.CapAdd, hostConfig.CapDrop);
  // a custom seccomp profile is decoded now, so a bad one fails create, not start
  if (!hostConfig.Privileged) seccompFor(parseSecurityOpts(hostConfig.SecurityOpt).seccomp, caps);
  else parseSecurityOpts(hostConfig.SecurityOpt);
  rlimits(hostConfig);
  if (hostConfig.LogConfig.Type === 'json-file') jsonFileOptions(hostConfig.LogConfig.Config);
  let image;
  try {
    image = await findImage(e.ctr, userConfig.Image);
  } catch (err) {
    if (isBerthError(err, 'NotFound')) throw notFound(`No such image: ${userConfig.Image.includes(':') || userConfig.Image.includes('@') ? userConfig.Image : `${userConfig.Image}:latest`}`);
    throw err;
  }
  const id = newContainerId();
  const config = mergeImageConfig(userConfig, (image.config.config ?? {}) as ImageDefaults);
  if (config.Hostname === '') config.Hostname = hostConfig.NetworkMode === 'host' ? os.hostname() : id.slice(0, 12);
  const { path: cmdPath, args } = commandOf(config);
  const name = pickName(e, requestedName, id);
  const dir = e.store.dirOf(id);
  const lease = leaseOf(id);
  let leased = false;
  const volumes = volumeStore(e);
  let applied: AppliedVolumes | undefined;
  try {
    userMounts(hostConfig, []);
    const plan = planVolumes(e.store, config, hostConfig);
    applied = applyVolumes(volumes, plan);
    volumes.claim(id, applied.mounts.filter((m) => m.Type === 'volume').map((m) => m.Name));
    fs.mkdirSync(dir, { recursive: true, mode: 0o710 });
    const hostNet = hostConfig.NetworkMode === 'host';
    const rec: ContainerRecord = {
      schemaVersion: 1,
      id,
      name,
      created: nowRfc3339Nano(),
      path: cmdPath,
      args,
      config,
      hostConfig,
      image: image.id,
      imageName: userConfig.Image,
      snapshotParent: chainIds(image.config.rootfs?.diff_ids ?? []).at(-1) ?? '',
      state: { Status: 'created', Pid: 0, ExitCode: 0, Error: '', OOMKilled: false, StartedAt: zeroTime, FinishedAt: zeroTime },
      restartCount: 0,
      manuallyStopped: false,
      hasBeenStarted: false,
      logPath: hostConfig.LogConfig.Type === 'json-file' ? path.join(dir, `${id}-json.log`) : '',
      hostnamePath: path.join(dir, 'hostname'),
      hostsPath: path.join(dir, 'hosts'),
      resolvConfPath: path.join(dir, 'resolv.conf'),
      mountPoints: applied.mounts,
      ...(endpointsConfig ? { endpointsConfig } : {}),
    };
    fs.writeFileSync(rec.hostnamePath, `${config.Hostname}\n`);
    fs.writeFileSync(rec.hostsPath, hostsFile(hostNet, (hostConfig.ExtraHosts as string[] | null | undefined) ?? []));
    fs.writeFileSync(rec.resolvConfPath, resolvConf(hostNet, (hostConfig.Dns ?? []).length > 0 || hostNet ? hostConfig.Dns ?? [] : e.settings.dns, hostConfig.DnsSearch ?? [], hostConfig.DnsOptions ?? []));
    await e.ctr.leases.create({ id: lease, labels: {} });
    leased = true;
    await e.ctr.snapshots.prepare(
      { snapshotter, key: id, parent: rec.snapshotParent, labels: { 'berth.container': id } },
      { metadata: { 'containerd-lease': lease } },
    );
    await copyImageContent(e, id, applied.copyUp);
    e.store.add(new Container(rec));
    volumes.release(id);
  } catch (err) {
    volumes.release(id);
    for (const v of applied?.created ?? []) {
      try {
        volumes.remove(v.name);
      } catch (rmErr) {
        e.log.warn('removing a volume of a failed create', { name: v.name, error: (rmErr as Error).message });
      }
    }
    if (leased) {
      await e.ctr.snapshots.remove({ snapshotter, key: id }).catch(() => undefined);
      await e.ctr.leases.delete({ id: lease, sync: false }).catch(() => undefined);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    e.store.releaseName(name, id);
    throw err;
  }
  announceCreated(e, applied?.created ?? []);
  e.events.publish('container', 'create', id, containerAttributes(e.store.get(id).record));
  return { Id: id, Warnings: warnings };
}
