/**
 * berthd judged by docker-py (Debian's python3-docker): the scenario in
 * docker_py_scenario.py (run in the foreground with remove=True, a failing run's
 * ContainerError, run detached + logs + exec_run + stop + wait + remove,
 * images.list/get) run with DOCKER_HOST at berthd, and the same script at a
 * private real dockerd 20.10: what docker-py sees must match, apart from what
 * differs between the API versions (listed below).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { bin, busyboxRootfs, repoRoot } from '../helpers/paths.js';
import { loadBusybox, startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';

/** Debian's python (python3-docker lives there), else whichever python3 has docker-py. */
const python = ['/usr/bin/python3', 'python3'].find((p) => (path.isAbsolute(p) ? fs.existsSync(p) : haveBinaries(p)) && runCmd(p, ['-c', 'import docker']).status === 0);
const script = path.join(repoRoot, 'test/dockerd/docker_py_scenario.py');
const available = process.getuid?.() === 0 && python !== undefined && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

interface Seen {
  docker_py: string;
  ping: boolean;
  version: { ApiVersion: string; MinAPIVersion: string; Os: string; Arch: string };
  api_version: string;
  run_output: string;
  run_error: { exit_status: number; stderr: string } | null;
  logs: string;
  logs_stdout_only: string;
  status_running: string;
  name: string;
  labels: Record<string, string>;
  listed: string[];
  exec: { exit_code: number; output: string };
  exec_demux: { exit_code: number; stdout: string; stderr: string };
  exec_missing: { exit_code: number };
  exec_workdir: { exit_code: number; output: string };
  wait: { StatusCode: number; Error: unknown };
  status_stopped: string;
  after_remove: { status_code: number; explanation: string } | 'found';
  images: string[];
  image: { id: string; tags: string[]; cmd: string[] };
  left: string[];
}

function scenario(env: NodeJS.ProcessEnv): Seen {
  const r = runCmd(python ?? 'python3', [script], { env, timeoutMs: 180_000 });
  expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
  return JSON.parse(r.stdout) as Seen;
}

describe.skipIf(!available)('berthd through docker-py', () => {
  let d: Berthd;
  let real: RealDockerd | undefined;
  let ours: Seen;
  let theirs: Seen | undefined;

  beforeAll(async () => {
    d = await startBerthd();
    loadBusyboxImage(d);
    ours = scenario(d.env);
    if (haveBinaries('dockerd', 'containerd')) {
      real = await startRealDockerd();
      loadBusybox(real, 'busybox:latest');
      theirs = scenario(real.env);
    }
  }, 300_000);

  afterAll(async () => {
    await d?.stop();
    await real?.stop();
  }, 120_000);

  it('pings, negotiates the API version and runs a command with remove=True', () => {
    expect(ours.ping).toBe(true);
    expect(ours.version).toEqual({ ApiVersion: '1.45', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64' });
    // version="auto" takes the daemon's ApiVersion
    expect(ours.api_version).toBe('1.45');
    expect(ours.run_output).toBe('hi\n');
    expect(ours.run_error).toEqual({ exit_status: 3, stderr: 'bad\n' });
  });

  it('runs detached: logs, exec_run, stop, wait, remove', () => {
    expect(ours.logs).toBe('started\noops\n');
    expect(ours.logs_stdout_only).toBe('started\n');
    expect(ours.status_running).toBe('running');
    expect(ours.name).toBe('dockerpy-detached');
    expect(ours.labels).toEqual({ judge: 'docker-py' });
    expect(ours.listed).toEqual(['dockerpy-detached']);
    expect(ours.exec).toEqual({ exit_code: 4, output: 'hello\n' });
    expect(ours.exec_demux).toEqual({ exit_code: 0, stdout: 'out\n', stderr: 'err\n' });
    // docker 28 answers 127 for a missing binary in exec (runc's "not found");
    // dockerd 20.10 answered 126 (see the comparison below)
    expect(ours.exec_missing).toEqual({ exit_code: 127 });
    expect(ours.exec_workdir).toEqual({ exit_code: 0, output: '/tmp\n' });
    expect(ours.wait).toEqual({ StatusCode: 0, Error: null });
    expect(ours.status_stopped).toBe('exited');
    expect(ours.after_remove).toEqual({ status_code: 404, explanation: 'No such container: dockerpy-detached' });
    expect(ours.left).toEqual([]);
  });

  it('lists and gets images', () => {
    expect(ours.images).toEqual(['busybox:latest']);
    expect(ours.image.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ours.image.tags).toEqual(['busybox:latest']);
    expect(ours.image.cmd).toEqual(['sh']);
  });

  it('sees what docker-py sees with the real dockerd 20.10', () => {
    if (!theirs) return;
    // Version-related, not hidden: dockerd 20.10 is API 1.41 (MinAPIVersion
    // 1.12), berthd reports 1.45/1.24 as docker 28 does; 20.10's exec of a
    // missing binary exits 126 where docker 23+ exits 127. The image id differs
    // because the real one loads loadBusybox's docker-save tar, not the OCI one.
    const comparable = (s: Seen) => ({ ...s, version: { Os: s.version.Os, Arch: s.version.Arch }, api_version: undefined, exec_missing: undefined, image: { ...s.image, id: undefined } });
    expect(comparable(ours)).toEqual(comparable(theirs));
    expect(theirs.version.ApiVersion).toBe('1.41');
    expect([126, 127]).toContain(theirs.exec_missing.exit_code);
  });
});
