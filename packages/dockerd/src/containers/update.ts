/**
 * POST /containers/{id}/update: new resource limits and restart policy.
 * Checked as moby checks them (its 400s for bad values, its 409s for updates
 * that conflict with what the container has), merged into the record's
 * HostConfig the way moby merges (a zero leaves a field as it was), then, for
 * a running or paused container, applied to the task: containerd's Update with
 * the requested limits as OCI LinuxResources, which the runtime writes to the
 * cgroup. A failed apply puts the old HostConfig back.
 */
import os from 'node:os';
import { conflict, internal, invalidArgument, isBerthError } from '@berth/errors';
import type { Container } from './container.js';
import { hostConfigFromBody } from './create-config.js';
import type { Engine } from './engine.js';
import type { HostConfig, RestartPolicy } from './model.js';
import { cfsPeriod, swapSupported } from './spec/resources.js';
import type { LinuxResources } from './spec/oci.js';
import { containerAttributes } from './event-attributes.js';

export const resourcesTypeUrl = 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources';

const minMemory = 6 * 1024 * 1024;

type ResourceField = 'Memory' | 'MemorySwap' | 'MemoryReservation' | 'NanoCpus' | 'CpuShares' | 'CpuPeriod' | 'CpuQuota' | 'CpusetCpus' | 'CpusetMems' | 'BlkioWeight';

/** What an update request asks for: zero/empty = leave as it is; PidsLimit undefined = not given. */
export interface UpdateRequest extends Pick<HostConfig, ResourceField> {
  PidsLimit: number | undefined;
  RestartPolicy: RestartPolicy | undefined;
}

const int = (body: Record<string, unknown>, key: string): number => {
  const v = body[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidArgument(`json: cannot unmarshal ${typeof v} into Go struct field UpdateConfig.${key} of type int64`);
  return v;
};

export function parseUpdate(body: Record<string, unknown>): UpdateRequest {
  const rp = body.RestartPolicy as { Name?: unknown } | undefined;
  const givenPolicy = rp !== undefined && rp !== null && typeof rp.Name === 'string' && rp.Name !== '';
  // create's checks for the policy (unknown names, retry counts, AutoRemove in the same body): moby's 400s
  const checked = hostConfigFromBody({ RestartPolicy: body.RestartPolicy, AutoRemove: body.AutoRemove, NetworkMode: 'bridge' });
  const pids = body.PidsLimit;
  return {
    Memory: int(body, 'Memory'), MemorySwap: int(body, 'MemorySwap'), MemoryReservation: int(body, 'MemoryReservation'),
    NanoCpus: int(body, 'NanoCpus'), CpuShares: int(body, 'CpuShares'), CpuPeriod: int(body, 'CpuPeriod'), CpuQuota: int(body, 'CpuQuota'),
    CpusetCpus: typeof body.CpusetCpus === 'string' ? body.CpusetCpus : '', CpusetMems: typeof body.CpusetMems === 'string' ? body.CpusetMems : '',
    PidsLimit: typeof pids === 'number' ? pids : undefined, BlkioWeight: int(body, 'BlkioWeight'),
    RestartPolicy: givenPolicy ? checked.RestartPolicy : undefined,
  };
}

/** "0-2,4" -> [0,1,2,4]; undefined when the syntax is wrong. */
function parseCpuList(s: string): number[] | undefined {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

/** moby's verifyPlatformContainerResources for an update: 400s, plus the warnings it gives. */
export function checkUpdate(r: UpdateRequest): string[] {
  const warnings: string[] = [];
  if (r.Memory !== 0 && r.Memory < minMemory) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (r.Memory > 0 && r.MemorySwap > 0 && r.MemorySwap < r.Memory) throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (r.MemoryReservation > 0 && r.MemoryReservation < minMemory) throw invalidArgument('Minimum memory reservation allowed is 6MB');
  if (r.Memory > 0 && r.MemoryReservation > 0 && r.Memory < r.MemoryReservation) throw invalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  if (r.NanoCpus > 0 && r.CpuPeriod > 0) throw invalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (r.NanoCpus > 0 && r.CpuQuota > 0) throw invalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  const cpus = os.availableParallelism();
  if (r.NanoCpus < 0 || r.NanoCpus > cpus * 1e9) throw invalidArgument(`Range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
  if (r.CpuShares < 0) throw invalidArgument('invalid CPU shares');
  if (r.CpuPeriod !== 0 && (r.CpuPeriod < 1000 || r.CpuPeriod > 1_000_000)) throw invalidArgument('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  if (r.CpuQuota > 0 && r.CpuQuota < 1000) throw invalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (r.CpusetCpus !== '') {
    const list = parseCpuList(r.CpusetCpus);
    if (!list) throw invalidArgument(`Invalid value ${r.CpusetCpus} for cpuset cpus`);
    if (list.some((n) => n >= cpus)) throw invalidArgument(`Requested CPUs are not available - requested ${r.CpusetCpus}, available: ${cpus === 1 ? '0' : `0-${cpus - 1}`}`);
  }
  if (r.CpusetMems !== '' && !parseCpuList(r.CpusetMems)) throw invalidArgument(`Invalid value ${r.CpusetMems} for cpuset mems`);
  if (r.BlkioWeight > 0 && (r.BlkioWeight < 10 || r.BlkioWeight > 1000)) throw invalidArgument('Range of blkio weight is from 10 to 1000');
  if (r.MemorySwap > 0 && !swapSupported()) {
    warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    r.MemorySwap = -1;
  }
  return warnings;
}

/** The memory+swap limit in force: docker gives a limited container twice its memory when no swap was set. */
const swapInForce = (hc: HostConfig): number => (hc.MemorySwap === 0 && hc.Memory > 0 ? hc.Memory * 2 : hc.MemorySwap);

/** moby's Container.UpdateContainer: the 409s, then the merge into `hc` (changed in place). */
export function mergeUpdate(hc: HostConfig, r: UpdateRequest): void {
  if (r.NanoCpus > 0 && hc.CpuPeriod > 0) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (r.NanoCpus > 0 && hc.CpuQuota > 0) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (r.CpuPeriod > 0 && hc.NanoCpus > 0) throw conflict('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (r.CpuQuota > 0 && hc.NanoCpus > 0) throw conflict('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  if (r.Memory !== 0 && r.MemorySwap === 0 && r.Memory > swapInForce(hc)) {
    throw conflict('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
  }
  if (r.RestartPolicy && r.RestartPolicy.Name !== 'no' && hc.AutoRemove) {
    throw conflict('Restart policy cannot be updated because AutoRemove is enabled for the container');
  }
  if (r.BlkioWeight !== 0) hc.BlkioWeight = r.BlkioWeight;
  if (r.CpuShares !== 0) hc.CpuShares = r.CpuShares;
  if (r.NanoCpus !== 0) hc.NanoCpus = r.NanoCpus;
  if (r.CpuPeriod !== 0) hc.CpuPeriod = r.CpuPeriod;
  if (r.CpuQuota !== 0) hc.CpuQuota = r.CpuQuota;
  if (r.CpusetCpus !== '') hc.CpusetCpus = r.CpusetCpus;
  if (r.CpusetMems !== '') hc.CpusetMems = r.CpusetMems;
  if (r.Memory !== 0) {
    // the swap docker derived at create becomes explicit, so the record keeps meaning what the cgroup has
    if (hc.MemorySwap === 0 && hc.Memory > 0) hc.MemorySwap = swapInForce(hc);
    hc.Memory = r.Memory;
  }
  if (r.MemorySwap !== 0) hc.MemorySwap = r.MemorySwap;
  if (r.MemoryReservation !== 0) hc.MemoryReservation = r.MemoryReservation;
  if (r.PidsLimit !== undefined) hc.PidsLimit = r.PidsLimit;
  if (r.RestartPolicy) hc.RestartPolicy = r.RestartPolicy;
}

/** The requested limits as OCI LinuxResources (moby's toContainerdResources); unset fields are left out. */
export function resourcesOf(r: UpdateRequest): LinuxResources {
  const out: LinuxResources = {};
  if (r.Memory !== 0 || r.MemorySwap !== 0 || r.MemoryReservation !== 0) {
    out.memory = {};
    if (r.Memory !== 0) out.memory.limit = r.Memory;
    if (r.MemorySwap !== 0) out.memory.swap = r.MemorySwap;
    if (r.MemoryReservation !== 0) out.memory.reservation = r.MemoryReservation;
  }
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (r.CpuShares !== 0) cpu.shares = r.CpuShares;
  if (r.NanoCpus !== 0) {
    cpu.period = cfsPeriod;
    cpu.quota = Math.round((r.NanoCpus * cfsPeriod) / 1e9);
  }
  if (cpu.quota === undefined && r.CpuQuota !== 0) cpu.quota = r.CpuQuota;
  if (cpu.period === undefined && r.CpuPeriod !== 0) cpu.period = r.CpuPeriod;
  if (r.CpusetCpus !== '') cpu.cpus = r.CpusetCpus;
  if (r.CpusetMems !== '') cpu.mems = r.CpusetMems;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;
  // docker: 0 or less is unlimited
  if (r.PidsLimit !== undefined) out.pids = { limit: r.PidsLimit > 0 ? r.PidsLimit : -1 };
  if (r.BlkioWeight !== 0) out.blockIO = { weight: r.BlkioWeight };
  return out;
}

export async function updateContainer(e: Engine, c: Container, body: Record<string, unknown>): Promise<{ Warnings: string[] }> {
  const req = parseUpdate(body);
  const warnings = checkUpdate(req);
  const cannot = (err: unknown) => {
    const message = `Cannot update container ${c.id}: ${err instanceof Error ? err.message : String(err)}`;
    if (isBerthError(err, 'Conflict')) return conflict(message);
    if (isBerthError(err, 'InvalidArgument')) return invalidArgument(message);
    return internal(message);
  };
  await c.serial(async () => {
    const s = c.record.state.Status;
    if (s === 'removing' || s === 'dead') throw conflict(`Cannot update container ${c.id}: container is marked for removal and cannot be "update"`);
    const before = structuredClone(c.record.hostConfig);
    try {
      mergeUpdate(c.record.hostConfig, req);
    } catch (err) {
      c.record.hostConfig = before;
      throw cannot(err);
    }
    e.store.save(c);
    // a stopped container gets the new limits at its next start; a restarting one has no task now
    if (s === 'running' || s === 'paused') {
      const resources = resourcesOf(req);
      try {
        await e.ctr.tasks.update({ containerId: c.id, resources: { typeUrl: resourcesTypeUrl, value: Buffer.from(JSON.stringify(resources)) }, annotations: {} });
      } catch (err) {
        c.record.hostConfig = before;
        e.store.save(c);
        throw cannot(err);
      }
    }
  });
  e.events.publish('container', 'update', c.id, containerAttributes(c.record));
  return { Warnings: warnings };
}
