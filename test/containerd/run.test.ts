/**
 * The whole stack under the real ctr 1.6: berth-containerd (images, snapshots,
 * containers, tasks) starting berth-shim, which runs berth-runc in-process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOciImage } from '../helpers/oci-image.js';
import { busyboxRootfs } from '../helpers/paths.js';
import { ctr, startBerthContainerd, tempDir, type Running } from './daemons.js';
import { removeCgroupTree } from '../helpers/daemon.js';

let dir: string;
let d: Running;
const ns = `berth-run-${process.pid}`;
const image = `docker.io/library/busybox:berth-${process.pid}`;
const c = (...args: string[]) => ctr(d.address, ['-n', ns, ...args], 60_000);

beforeAll(async () => {
  dir = tempDir('run');
  d = await startBerthContainerd(dir);
  const built = buildOciImage({ rootfs: busyboxRootfs, name: image, out: path.join(dir, 'busybox.tar'), cmd: ['sh'] });
  const r = c('images', 'import', built.file);
  if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
}, 120_000);

afterAll(async () => {
  for (const id of c('tasks', 'ls', '-q').stdout.split('\n').filter(Boolean)) c('tasks', 'kill', '-s', 'KILL', id);
  for (const id of c('containers', 'ls', '-q').stdout.split('\n').filter(Boolean)) {
    c('tasks', 'delete', '-f', id);
    c('containers', 'rm', id);
  }
  await d?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  // ctr puts containers in /<namespace>/<id>; the runtime removes <id>, the namespace level is ours to remove.
  removeCgroupTree(`/${ns}`);
});

describe('ctr run against berth-containerd', () => {
  it('runs a container with --rm and shows its output and exit status', () => {
    // ctr sets no hostname: the container's new UTS namespace keeps the host's name.
    const r = c('run', '--rm', image, `echo-${process.pid}`, 'sh', '-c', 'echo hi from $(hostname) as $(id -u); exit 3');
    expect(r.stdout).toBe(`hi from ${os.hostname()} as 0\n`);
    expect(r.status).toBe(3);
    expect(c('containers', 'ls', '-q').stdout).not.toContain(`echo-${process.pid}`);
  });

  it('runs detached, lists the task, execs into it, kills and deletes it', async () => {
    const id = `det-${process.pid}`;
    expect(c('run', '-d', image, id, 'sleep', '300').status).toBe(0);
    expect(c('tasks', 'ls').stdout).toMatch(new RegExp(`${id}\\s+\\d+\\s+RUNNING`));
    const exec = c('tasks', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo exec-ok; exit 5');
    expect(exec.stdout).toBe('exec-ok\n');
    expect(exec.status).toBe(5);
    expect(c('tasks', 'ps', id).stdout).toMatch(/PID\s+INFO/);
    expect(c('tasks', 'pause', id).status).toBe(0);
    expect(c('tasks', 'ls').stdout).toMatch(new RegExp(`${id}\\s+\\d+\\s+PAUSED`));
    expect(c('tasks', 'resume', id).status).toBe(0);
    expect(c('tasks', 'kill', '-s', 'KILL', id).status).toBe(0);
    for (let i = 0; i < 100 && !/STOPPED/.test(c('tasks', 'ls').stdout); i++) await new Promise((r) => setTimeout(r, 50));
    expect(c('tasks', 'ls').stdout).toMatch(new RegExp(`${id}\\s+\\d+\\s+STOPPED`));
    expect(c('tasks', 'delete', id).status).toBe(0);
    expect(c('containers', 'rm', id).status).toBe(0);
    expect(c('tasks', 'ls', '-q').stdout).toBe('');
  });

  it('answers containerd\'s errors for a duplicate container id and unknown tasks, leaving nothing behind', () => {
    const id = `dup-${process.pid}`;
    expect(c('containers', 'create', image, id).status).toBe(0);
    const dup = c('containers', 'create', image, id);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const noTask = c('tasks', 'kill', `nope-${process.pid}`);
    expect(noTask.status).toBe(1);
    expect(noTask.stderr).toMatch(/not found/);
    const startMissing = c('tasks', 'start', `nope-${process.pid}`);
    expect(startMissing.status).toBe(1);
    expect(startMissing.stderr).toMatch(/not found/);
    expect(c('containers', 'rm', id).status).toBe(0);
    expect(c('containers', 'ls', '-q').stdout).not.toContain(id);
  });
});
