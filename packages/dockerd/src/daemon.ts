/**
 * berthd's life: pidfile, data and exec roots, the containerd connection
 * (waited for, like dockerd waits for its containerd), the API listeners; close()
 * undoes it all in reverse.
 */
import fs from 'node:fs';
import path from 'node:path';
import { unavailable } from '@berth/errors';
import type { Logger } from '@berth/containerd/log';
import { connectContainerd, type Containerd } from './containerd.js';
import type { Flags } from './flags.js';
import { writePidfile } from './pidfile.js';
import { createApp } from './server/app.js';
import { serveHost, type ApiListener } from './server/listen.js';
import { planListeners } from './server/tcp-hosts.js';
import { loadEngineId } from './system/engine-id.js';
import { ContainerStore } from './containers/store.js';
import { EventBus } from './events/bus.js';
import { ExecStore } from './containers/exec.js';
import type { Engine } from './containers/engine.js';
import { reconcile, startMonitor, type Monitor } from './containers/monitor.js';
import { restoreContainers, startPolicyContainers } from './containers/restore.js';
import { findInitBinary } from './containers/init-binary.js';
import { isRunning } from './containers/model.js';
import { BridgeNetwork } from './network/bridge-network.js';
import { parseBip } from './network/cidr.js';
import { loadNetworks, type Networks } from './network/registry.js';
import { sweepSandboxes } from './network/sandbox.js';
import { setRegistrySettings } from './registry/settings.js';
import { startHealth, useExecStore } from './containers/health.js';

export interface Daemon {
  close(): Promise<void>;
}

async function waitForContainerd(containerd: Containerd, log: Logger, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await containerd.version.version({}, { deadline: 2_000 });
      log.info('connected to containerd', { address: containerd.address, namespace: containerd.namespace, version: v.version, revision: v.revision });
      return;
    } catch (err) {
      if (Date.now() > end) throw unavailable(`containerd at ${containerd.address} did not answer`, err);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function startDaemon(flags: Flags, log: Logger): Promise<Daemon> {
  if (flags.containerd === undefined) throw unavailable('--containerd is required: berthd does not start its own containerd yet');
  // the -H addresses and TLS are checked before anything is created or bound
  const plan = await planListeners(flags, log);
  fs.mkdirSync(flags.dataRoot, { recursive: true, mode: 0o711 });
  fs.mkdirSync(flags.execRoot, { recursive: true, mode: 0o700 });
  const removePidfile = writePidfile(flags.pidfile);
  const containerd = connectContainerd(flags.containerd, flags.containerdNamespace);
  const listeners: ApiListener[] = [];
  let monitor: Monitor | undefined;
  let nets: Networks | undefined;
  let bridge: BridgeNetwork | undefined;
  try {
    await waitForContainerd(containerd, log);
    const settings = { id: loadEngineId(flags.dataRoot), dataRoot: flags.dataRoot, execRoot: flags.execRoot, debug: flags.logLevel === 'debug' || flags.logLevel === 'trace' };
    const engine: Engine = {
      ctr: containerd,
      store: new ContainerStore(path.join(flags.dataRoot, 'containers'), log),
      events: new EventBus(),
      settings: { dataRoot: flags.dataRoot, execRoot: flags.execRoot, cgroupParent: flags.cgroupParent, initPath: flags.initPath ?? findInitBinary(), dns: flags.dns },
      log,
    };
    setRegistrySettings({ insecure: flags.insecureRegistries, mirrors: flags.registryMirrors });
    const execs = new ExecStore();
    useExecStore(execs);
    await restoreContainers(engine);
    // the networks after the restore: endpoints of containers still running are re-adopted, the rest taken down
    const running = (id: string) => { const c = engine.store.find(id); return c !== undefined && isRunning(c.record.state); };
    if (flags.bridge !== 'none') {
      bridge = new BridgeNetwork(
        { name: flags.bridge, networkName: 'bridge', net: parseBip(flags.bip), iptables: flags.iptables, ipMasq: flags.ipMasq, internal: false },
        { ipamFile: path.join(flags.dataRoot, 'network', 'ipam.json'), endpointDir: path.join(flags.execRoot, 'network', 'endpoints') },
        log,
      );
      await bridge.init(running);
    }
    nets = await loadNetworks({
      dataRoot: flags.dataRoot, execRoot: flags.execRoot, iptables: flags.iptables, ipMasq: flags.ipMasq, log, isRunning: running, upstreams: flags.dns,
      containerName: (id) => engine.store.find(id)?.record.name.slice(1),
    }, bridge);
    await sweepSandboxes(flags.execRoot, running);
    // healthchecks of the containers that ran on while berthd was down go on where they were
    for (const c of engine.store.list()) if (isRunning(c.record.state)) startHealth(engine, c, true);
    let firstSync = true;
    monitor = startMonitor(
      engine,
      (containerId, execId, code) => void execs.find(execId)?.finish(engine, code),
      async () => {
        await reconcile(engine);
        if (firstSync) {
          firstSync = false;
          await startPolicyContainers(engine);
        }
      },
    );
    const app = createApp(containerd, settings, log, engine, execs);
    for (const address of plan.addresses) listeners.push(await serveHost(address, app, plan.tls, log));
    log.info('daemon has completed initialization', { id: settings.id });
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    monitor?.stop();
    await (nets ?? bridge)?.shutdown().catch(() => undefined);
    containerd.close();
    removePidfile();
    throw err;
  }
  return {
    async close() {
      await Promise.all(listeners.map((l) => l.close()));
      monitor?.stop();
      await (nets ?? bridge)?.shutdown().catch((err: unknown) => log.warn('taking the networks down', { error: (err as Error).message }));
      containerd.close();
      removePidfile();
    },
  };
}
