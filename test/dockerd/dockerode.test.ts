/**
 * berthd judged by dockerode (the npm Docker client, through docker-modem):
 * ping, version, listImages, a container created with attached stdio
 * (hijacked attach, demuxed with modem.demuxStream), start, wait, logs, exec
 * with a hijacked start and its ExitCode, inspect, stop, remove, and the
 * events stream with create/start/die/destroy for that container.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { bin, busyboxRootfs, repoRoot } from '../helpers/paths.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli) && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

/** Reads a stdcopy-framed stream to its end, split into stdout and stderr. */
function demuxed(docker: Docker, stream: Readable): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.stdout.push(c));
  err.on('data', (c: Buffer) => chunks.stderr.push(c));
  docker.modem.demuxStream(stream, out, err);
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    stream.on('end', () => resolve({ stdout: Buffer.concat(chunks.stdout).toString(), stderr: Buffer.concat(chunks.stderr).toString() }));
  });
}

/** Splits a non-streamed multiplexed body (logs without follow) into its two streams. */
function splitFrames(buf: Buffer): { stdout: string; stderr: string } {
  const parts: { stdout: Buffer[]; stderr: Buffer[] } = { stdout: [], stderr: [] };
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    (buf[i] === 2 ? parts.stderr : parts.stdout).push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return { stdout: Buffer.concat(parts.stdout).toString(), stderr: Buffer.concat(parts.stderr).toString() };
}

describe.skipIf(!available)('berthd through dockerode', () => {
  let d: Berthd;
  let docker: Docker;

  beforeAll(async () => {
    d = await startBerthd();
    docker = new Docker({ socketPath: d.socket });
    loadBusyboxImage(d);
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
  }, 120_000);

  it('pings and reports its version', async () => {
    const pong: unknown = await docker.ping();
    expect(Buffer.isBuffer(pong) ? pong.toString() : pong).toBe('OK');
    const v = await docker.version();
    expect(v.ApiVersion).toBe('1.45');
    expect(v.MinAPIVersion).toBe('1.24');
    expect(v.Os).toBe('linux');
    expect(v.Arch).toBe('amd64');
    expect(typeof v.Version).toBe('string');
  });

  it('lists images', async () => {
    const images = await docker.listImages();
    const busybox = images.find((i) => i.RepoTags?.includes('busybox:latest'));
    expect(busybox, JSON.stringify(images)).toBeDefined();
    expect(busybox?.Id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(busybox?.Size).toBeGreaterThan(0);
    const filtered = await docker.listImages({ filters: { reference: ['busybox'] } });
    expect(filtered.map((i) => i.Id)).toEqual([busybox?.Id]);
  });

  it('runs a container: events, hijacked attach demuxed, start, wait, logs, exec, inspect, stop, remove', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const container = await docker.createContainer({
      Image: 'busybox',
      name: 'dockerode-life',
      Cmd: ['sh', '-c', 'echo out; echo err >&2; trap "echo term; exit 7" TERM; while true; do sleep 0.1; done'],
      AttachStdout: true,
      AttachStderr: true,
      Labels: { judge: 'dockerode' },
    });
    expect(container.id).toMatch(/^[0-9a-f]{64}$/);

    const attached = (await container.attach({ stream: true, stdout: true, stderr: true, hijack: true })) as unknown as Readable;
    const output = demuxed(docker, attached);
    await container.start();

    // logs once both lines are out (the attach stream sees them as they come)
    for (let i = 0; i < 100; i++) {
      const logs = splitFrames((await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
      if (logs.stdout === 'out\n' && logs.stderr === 'err\n') break;
      if (i === 99) expect(logs).toEqual({ stdout: 'out\n', stderr: 'err\n' });
      await new Promise((r) => setTimeout(r, 100));
    }

    const running = await container.inspect();
    expect(running.State.Running).toBe(true);
    expect(running.State.Status).toBe('running');
    expect(running.Name).toBe('/dockerode-life');
    expect(running.Config.Labels).toEqual({ judge: 'dockerode' });
    expect(running.State.Pid).toBeGreaterThan(1);

    const exec = await container.exec({ Cmd: ['sh', '-c', 'echo in-exec; echo exec-err >&2; exit 5'], AttachStdout: true, AttachStderr: true });
    const execStream = (await exec.start({ hijack: true, stdin: false })) as unknown as Readable;
    expect(await demuxed(docker, execStream)).toEqual({ stdout: 'in-exec\n', stderr: 'exec-err\n' });
    const execInfo = await exec.inspect();
    expect(execInfo.ExitCode).toBe(5);
    expect(execInfo.Running).toBe(false);

    const waited = container.wait();
    await container.stop({ t: 10 });
    expect(await waited).toEqual({ StatusCode: 7, Error: null });
    expect(await output).toEqual({ stdout: 'out\nterm\n', stderr: 'err\n' });
    const stopped = await container.inspect();
    expect(stopped.State.Status).toBe('exited');
    expect(stopped.State.ExitCode).toBe(7);

    await container.remove();
    await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });

    // the events for this container, read back up to now
    const until = Math.floor(Date.now() / 1000) + 1;
    const events = (await docker.getEvents({ since, until, filters: { container: [container.id] } })) as unknown as Readable;
    const text = await new Promise<string>((resolve, reject) => {
      let body = '';
      events.on('data', (c: Buffer) => (body += c.toString()));
      events.on('end', () => resolve(body));
      events.on('error', reject);
    });
    const actions = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } });
    const containerActions = actions.filter((e) => e.Type === 'container').map((e) => e.Action);
    for (const a of ['create', 'attach', 'start', 'kill', 'die', 'stop', 'destroy']) expect(containerActions, text).toContain(a);
    // stop is a kill with the stop signal, logged before die, as dockerd does
    const order = ['create', 'start', 'kill', 'die', 'destroy'].map((a) => containerActions.indexOf(a));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const die = actions.find((e) => e.Action === 'die');
    expect(die?.Actor.ID).toBe(container.id);
    expect(die?.Actor.Attributes).toMatchObject({ exitCode: '7', name: 'dockerode-life', image: 'busybox', judge: 'dockerode' });
    expect(actions.find((e) => e.Action === 'kill')?.Actor.Attributes.signal).toBe('15');
  }, 120_000);


  it('streams live events while a container runs', async () => {
    const events = (await docker.getEvents({ filters: { type: ['container'], container: ['dockerode-live'] } })) as unknown as Readable;
    const seen: string[] = [];
    const gotDestroy = new Promise<void>((resolve, reject) => {
      let buf = '';
      events.on('data', (c: Buffer) => {
        buf += c.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim() === '') continue;
          const e = JSON.parse(line) as { Action: string; status?: string };
          seen.push(e.Action);
          if (e.Action === 'destroy') resolve();
        }
      });
      events.on('error', reject);
    });
    const c = await docker.createContainer({ Image: 'busybox', name: 'dockerode-live', Cmd: ['true'] });
    await c.start();
    expect(await c.wait()).toMatchObject({ StatusCode: 0 });
    await c.remove();
    await Promise.race([gotDestroy, new Promise((_, reject) => setTimeout(() => reject(new Error(`events so far: ${seen.join(',')}`)), 20_000))]);
    (events as Readable & { destroy(): void }).destroy();
    expect(seen).toEqual(['create', 'start', 'die', 'destroy']);
  }, 60_000);

  it('answers a missing container with a 404 and docker\'s message', async () => {
    await expect(docker.getContainer('no-such-container').inspect()).rejects.toMatchObject({
      statusCode: 404,
      json: { message: 'No such container: no-such-container' },
    });
  });
});
