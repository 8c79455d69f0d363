/**
 * docker exec: POST /containers/{id}/exec records what to run; POST
 * /exec/{id}/start runs it in the container's task (a process spec derived
 * from the container's own: same capabilities and security settings, the
 * exec's args, env, user, cwd, tty), streams its stdio like attach, and
 * records its exit code (126/127 when it could not be run, with the error on
 * the stream, as docker).
 */
import { randomBytes } from 'node:crypto';
import { conflict, invalidArgument, notFound } from '@berth/errors';
import type { Container } from './container.js';
import { fifoDir, type Engine } from './engine.js';
import { fifoPaths, makeFifos, openInputFifo, openOutputFifo, removeFifos, type FifoSet } from './fifos.js';
import { processEnv } from './spec/build.js';
import { allCapabilities } from './spec/capabilities.js';
import type { Process, Spec } from './spec/oci.js';
import { layerDirs, readRootfsFile } from './spec/rootfs-files.js';
import { resolveUser } from './spec/user.js';
import { startFailureCode, specTypeUrl } from './start.js';
import { snapshotter } from './engine.js';
import type { Writable } from 'node:stream';
import { containerAttributes } from './event-attributes.js';

const processTypeUrl = 'types.containerd.io/opencontainers/runtime-spec/1/Process';

export interface ExecConfig {
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  DetachKeys: string;
  Tty: boolean;
  Env: string[];
  Cmd: string[];
  Privileged: boolean;
  User: string;
  WorkingDir: string;
  ConsoleSize: [number, number] | null;
}

export interface ExecOutput {
  data(kind: 'stdout' | 'stderr', chunk: Buffer): void;
  end(): void;
}

export class ExecInstance {
  running = false;
  exitCode: number | null = null;
  pid = 0;
  stdin: Writable | undefined;
  fifos: FifoSet | undefined;
  private outputDone: Promise<void> = Promise.resolve();
  private exitWaiters: (() => void)[] = [];
  output: ExecOutput | undefined;

  constructor(
    readonly id: string,
    readonly container: Container,
    readonly config: ExecConfig,
  ) {}

  async finish(e: Engine, exitCode: number): Promise<void> {
    if (this.exitCode !== null) return;
    await Promise.race([this.outputDone, new Promise((r) => setTimeout(r, 2000))]);
    this.exitCode = exitCode;
    this.running = false;
    this.stdin?.destroy();
    await e.ctr.tasks.deleteProcess({ containerId: this.container.id, execId: this.id }).catch(() => undefined);
    if (this.fifos) removeFifos(this.fifos);
    this.output?.end();
    e.events.publish('container', 'exec_die', this.container.id, containerAttributes(this.container.record, { execID: this.id, exitCode: String(exitCode) }));
    for (const w of this.exitWaiters.splice(0)) w();
  }

  exited(): Promise<void> {
    return this.exitCode !== null ? Promise.resolve() : new Promise((r) => this.exitWaiters.push(r));
  }

  connectOutput(fifos: FifoSet): void {
    const outs: Promise<void>[] = [];
    const pump = (p: string, kind: 'stdout' | 'stderr') => {
      const s = openOutputFifo(p);
      outs.push(new Promise((resolve) => {
        s.on('data', (chunk: Buffer) => this.output?.data(kind, chunk));
        s.on('close', () => resolve());
        s.on('error', () => resolve());
      }));
    };
    pump(fifos.stdout, 'stdout');
    if (fifos.stderr !== '') pump(fifos.stderr, 'stderr');
    this.outputDone = Promise.all(outs).then(() => undefined);
  }
}

export class ExecStore {
  private readonly execs = new Map<string, ExecInstance>();

  get(id: string): ExecInstance {
    const x = this.execs.get(id);
    if (!x) throw notFound(`No such exec instance: ${id}`);
    return x;
  }

  find(id: string): ExecInstance | undefined {
    return this.execs.get(id);
  }

  add(x: ExecInstance): void {
    this.execs.set(x.id, x);
    x.container.execIds.add(x.id);
  }

  /** An exec nobody can ask about (a healthcheck's probe). */
  dropExec(id: string): void {
    const x = this.execs.get(id);
    this.execs.delete(id);
    x?.container.execIds.delete(id);
  }

  dropContainer(c: Container): void {
    for (const [id, x] of this.execs) if (x.container === c) this.execs.delete(id);
  }
}

function checkRunning(c: Container): void {
  const s = c.record.state.Status;
  if (s === 'paused') throw conflict(`Container ${c.id} is paused, unpause the container before exec`);
  if (s !== 'running') throw conflict(`Container ${c.id} is not running`);
}

export function createExec(store: ExecStore, c: Container, body: Record<string, unknown>): string {
  checkRunning(c);
  const cmd = Array.isArray(body.Cmd) ? body.Cmd.map(String) : [];
  if (cmd.length === 0) throw invalidArgument('No exec command specified');
  const config: ExecConfig = {
    AttachStdin: body.AttachStdin === true,
    AttachStdout: body.AttachStdout === true,
    AttachStderr: body.AttachStderr === true,
    DetachKeys: typeof body.DetachKeys === 'string' ? body.DetachKeys : '',
    Tty: body.Tty === true,
    Env: Array.isArray(body.Env) ? body.Env.map(String) : [],
    Cmd: cmd,
    Privileged: body.Privileged === true,
    User: typeof body.User === 'string' ? body.User : '',
    WorkingDir: typeof body.WorkingDir === 'string' ? body.WorkingDir : '',
    ConsoleSize: Array.isArray(body.ConsoleSize) && body.ConsoleSize.length === 2 ? [Number(body.ConsoleSize[0]), Number(body.ConsoleSize[1])] : null,
  };
  const id = randomBytes(32).toString('hex');
  store.add(new ExecInstance(id, c, config));
  return id;
}

async function execProcess(e: Engine, x: ExecInstance, tty: boolean): Promise<Process> {
  const c = x.container;
  const { container } = await e.ctr.containers.get({ id: c.id });
  const spec = JSON.parse(Buffer.from(container?.spec?.value ?? new Uint8Array()).toString('utf8') || '{}') as Spec;
  const base = spec.process;
  if (!base) throw conflict(`Container ${c.id} is not running`);
  const cfg = x.config;
  let user = base.user;
  // HOME as the container's process got it, unless the exec runs as another user
  let home = base.env?.find((v) => v.startsWith('HOME='))?.slice(5) ?? '/';
  if (cfg.User !== '') {
    const { mounts } = await e.ctr.snapshots.mounts({ snapshotter, key: c.id });
    const dirs = layerDirs(mounts.map((m) => ({ type: m.type, source: m.source, options: [...m.options] })));
    const u = resolveUser(cfg.User, readRootfsFile(dirs, '/etc/passwd'), readRootfsFile(dirs, '/etc/group'));
    user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
    if (!c.record.config.Env.some((v) => v.startsWith('HOME='))) home = u.home;
  }
  const caps = cfg.Privileged ? allCapabilities.filter((cap) => base.capabilities?.bounding?.includes(cap) ?? false) : undefined;
  const size = tty && cfg.ConsoleSize && cfg.ConsoleSize[0] > 0 ? { height: cfg.ConsoleSize[0], width: cfg.ConsoleSize[1] } : undefined;
  return {
    ...base,
    terminal: tty,
    ...(size ? { consoleSize: size } : {}),
    args: cfg.Cmd,
    env: processEnv(c.record.config.Hostname, tty, [...c.record.config.Env, ...cfg.Env], home),
    cwd: cfg.WorkingDir || base.cwd,
    user,
    ...(caps ? { capabilities: { bounding: caps, effective: caps, permitted: caps } } : {}),
  };
}

/** Starts the exec; output goes to `output`. Returns an error text when it could not be run (the exit code is then set). */
export async function startExec(e: Engine, x: ExecInstance, tty: boolean, withStdin: boolean, output: ExecOutput): Promise<string | undefined> {
  if (x.running || x.exitCode !== null) throw conflict(`Error: Exec command ${x.id} has already run`);
  checkRunning(x.container);
  x.output = output;
  x.running = true;
  const c = x.container;
  const fifos = fifoPaths(fifoDir(e, c.id), x.id.slice(0, 16), withStdin, tty);
  x.fifos = fifos;
  try {
    const proc = await execProcess(e, x, tty);
    makeFifos(fifoDir(e, c.id), fifos);
    await e.ctr.tasks.exec({ containerId: c.id, execId: x.id, terminal: tty, stdin: fifos.stdin, stdout: fifos.stdout, stderr: fifos.stderr, spec: { typeUrl: processTypeUrl, value: Buffer.from(JSON.stringify(proc)) } });
    x.connectOutput(fifos);
    if (fifos.stdin !== '') x.stdin = openInputFifo(fifos.stdin);
    const { pid } = await e.ctr.tasks.start({ containerId: c.id, execId: x.id });
    x.pid = pid;
    e.events.publish('container', `exec_start: ${x.config.Cmd.join(' ')}`, c.id, containerAttributes(c.record, { execID: x.id }));
    return undefined;
  } catch (err) {
    // dockerd's wording: runc's "exec failed: ..." and containerd's ": unknown" around the runtime's reason
    const reason = (err as Error).message.replace(/^exec failed: /, '');
    const message = `OCI runtime exec failed: exec failed: ${reason}: unknown`;
    x.output = undefined;
    await x.finish(e, startFailureCode(message));
    return message;
  }
}

export function execInspect(x: ExecInstance): Record<string, unknown> {
  const [entrypoint, ...args] = x.config.Cmd;
  return {
    ID: x.id,
    Running: x.running,
    ExitCode: x.exitCode,
    ProcessConfig: { tty: x.config.Tty, entrypoint, arguments: args, privileged: x.config.Privileged, user: x.config.User },
    OpenStdin: x.config.AttachStdin,
    OpenStderr: x.config.AttachStderr,
    OpenStdout: x.config.AttachStdout,
    CanRemove: false,
    ContainerID: x.container.id,
    DetachKeys: x.config.DetachKeys,
    Pid: x.pid,
  };
}

export { specTypeUrl };
