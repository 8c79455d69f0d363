/**
 * The real `ctr` (containerd 1.6) against bin/berth-containerd: version,
 * plugins, namespaces, events, error messages, unserved services, restart and
 * shutdown. Every daemon has its own temp root, state and socket.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Health, HealthCheckResponse_ServingStatus } from '../../packages/containerd/src/gen/grpc/health/v1/health_pb.js';
import { connect, createClient } from '../../packages/containerd/src/index.js';
import { bin } from '../helpers/paths.js';
import { ctr, haveProgram, startBerthContainerd, tempDir, type Running } from './daemons.js';

const identifierRe = '^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$';

describe.skipIf(!haveProgram('ctr'))('ctr against berth-containerd', () => {
  let dir: string;
  let d: Running;
  const run = (...args: string[]) => ctr(d.address, args);

  beforeAll(async () => {
    dir = tempDir('ctr');
    d = await startBerthContainerd(dir);
  });

  afterAll(async () => {
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ctr version prints the server version, revision and UUID', () => {
    const r = run('version');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Server:\n {2}Version: {2}1\.6\.20-berth\n {2}Revision: [0-9a-f]{40}(\.m)?\n {2}UUID: [0-9a-f-]{36}\n/);
  });

  it('ctr plugins ls lists the served plugins, with filters and -q', () => {
    const r = run('plugins', 'ls');
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows[0]).toEqual(['TYPE', 'ID', 'PLATFORMS', 'STATUS']);
    for (const id of ['introspection', 'events', 'healthcheck', 'namespaces', 'version']) {
      expect(rows).toContainEqual(['io.containerd.grpc.v1', id, '-', 'ok']);
    }
    expect(rows).toContainEqual(['io.containerd.metadata.v1', 'level', '-', 'ok']);
    const grpcOnly = run('plugins', 'ls', '-q', 'type==io.containerd.grpc.v1');
    expect(grpcOnly.stdout.trim().split('\n').sort()).toEqual(
      expect.arrayContaining(['content', 'events', 'healthcheck', 'images', 'introspection', 'leases', 'namespaces', 'version']),
    );
    expect(run('plugins', 'ls', '-q', 'id~=^names', 'id==version').stdout.trim().split('\n')).toEqual([
      'namespaces-service',
      'namespaces',
      'version',
    ]);
    const detailed = run('plugins', 'ls', '-d', 'id==namespaces-service');
    expect(detailed.stdout).toMatch(/Requires:\s+io\.containerd\.event\.v1\s+io\.containerd\.metadata\.v1/);
    const bad = run('plugins', 'ls', 'type==');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('ctr: filters: parse error: [type==]: expected value or quoted: invalid argument\n');
  });

  it('ctr namespaces create / ls / label / rm, with labels', () => {
    expect(run('namespaces', 'ls', '-q').stdout).toBe('');
    expect(run('namespaces', 'create', 'foo', 'a=b', 'x.y/z=1').status).toBe(0);
    expect(run('namespaces', 'create', 'bar').status).toBe(0);
    expect(run('namespaces', 'ls').stdout).toBe('NAME LABELS      \nbar              \nfoo  a=b,x.y/z=1 \n');
    expect(run('namespaces', 'label', 'foo', 'c=d', 'a=').status).toBe(0);
    expect(run('namespaces', 'ls').stdout).toBe('NAME LABELS      \nbar              \nfoo  c=d,x.y/z=1 \n');
    const dup = run('namespaces', 'create', 'foo');
    expect(dup.status).toBe(1);
    expect(dup.stderr).toBe('ctr: namespace "foo": already exists\n');
    // ctr ignores NotFound on rm, like against containerd
    const rm = run('namespaces', 'rm', 'foo', 'bar', 'nothere');
    expect(rm.status).toBe(0);
    expect(rm.stdout).toBe('foo\nbar\nnothere\n');
    expect(run('namespaces', 'ls', '-q').stdout).toBe('');
  });

  it('rejects bad namespace names with containerd messages', () => {
    const bad = run('namespaces', 'create', 'bad!name');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`ctr: identifier "bad!name" must match ${identifierRe}: invalid argument\n`);
    const long = 'n'.repeat(77);
    expect(run('namespaces', 'create', long).stderr).toBe(
      `ctr: identifier "${long}" greater than maximum length (76 characters): invalid argument\n`,
    );
    expect(run('namespaces', 'create', 'n'.repeat(76)).status).toBe(0);
    expect(run('-n', 'bad!', 'namespaces', 'create', 'ok1').stderr).toBe(
      `ctr: namespace validation: identifier "bad!" must match ${identifierRe}: invalid argument\n`,
    );
    expect(run('-n', '', 'namespaces', 'create', 'ok2').stderr).toBe('ctr: namespace is required: failed precondition\n');
    expect(run('namespaces', 'ls', '-q').stdout).toBe(`${'n'.repeat(76)}\n`);
    expect(run('namespaces', 'rm', 'n'.repeat(76)).status).toBe(0);
  });

  it('serves the gRPC health check the containerd client uses (IsServing)', async () => {
    const channel = connect(d.address);
    try {
      const health = createClient(Health, channel);
      expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      expect((await health.check({ service: 'containerd.services.namespaces.v1.Namespaces' })).status).toBe(
        HealthCheckResponse_ServingStatus.SERVING,
      );
      const err = await health.check({ service: 'nope.Nope' }).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('NotFound');
    } finally {
      channel.close();
    }
  });

  it('lists no tasks before any container ran', () => {
    const tasks = run('tasks', 'ls');
    expect(tasks.status).toBe(0);
    expect(tasks.stdout).toMatch(/^TASK\s+PID\s+STATUS\s*\n$/);
  });

  it('ctr events shows namespace events as containerd publishes them', async () => {
    const events = spawn('ctr', ['--address', d.address, 'events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    events.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      // ctr events has no "subscribed" signal: publish until the first event shows up.
      for (let i = 0; !out.includes('/namespaces/create') && i < 100; i++) {
        run('namespaces', 'create', `ev${i}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      run('namespaces', 'label', 'ev0', 'k=v');
      run('namespaces', 'rm', 'ev0');
      for (let i = 0; !out.includes('/namespaces/delete') && i < 50; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      if (events.pid !== undefined) process.kill(events.pid, 'SIGTERM');
    }
    const lines = out.trim().split('\n');
    expect(lines.find((l) => l.includes('/namespaces/update'))).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \+0000 UTC default \/namespaces\/update \{"name":"ev0","labels":\{"k":"v"\}\}$/,
    );
    expect(lines.find((l) => l.includes('/namespaces/delete'))).toMatch(/ UTC ev0 \/namespaces\/delete \{"name":"ev0"\}$/);
  });
});

describe.skipIf(!haveProgram('ctr'))('berth-containerd process', () => {
  it('keeps namespaces and its UUID across restarts, and removes its socket on SIGTERM', async () => {
    const dir = tempDir('restart');
    try {
      let d = await startBerthContainerd(dir);
      ctr(d.address, ['namespaces', 'create', 'kept', 'k=v']);
      const uuid = /UUID: (\S+)/.exec(ctr(d.address, ['version']).stdout)?.[1];
      expect(await d.stop()).toBe(0);
      expect(fs.existsSync(d.address)).toBe(false);
      expect(d.log()).toMatch(/"level":"info","msg":"stopping","time":"[^"]+","signal":"SIGTERM"/);

      d = await startBerthContainerd(dir);
      expect(ctr(d.address, ['namespaces', 'ls']).stdout).toContain('kept k=v');
      expect(/UUID: (\S+)/.exec(ctr(d.address, ['version']).stdout)?.[1]).toBe(uuid);
      await d.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads root, state and [grpc] address from --config; flags win', async () => {
    const dir = tempDir('config');
    try {
      const config = path.join(dir, 'config.toml');
      const sock = path.join(dir, 'from-config.sock');
      fs.writeFileSync(config, `version = 2\nroot = "${dir}/r"\nstate = "${dir}/s"\n[grpc]\n  address = "${sock}"\n`);
      let d = await startBerthContainerd(dir, { args: ['--config', config], address: sock });
      expect(ctr(sock, ['plugins', 'ls', '-d', 'id==level']).stdout).toContain(`${dir}/r/io.containerd.metadata.v1.level`);
      expect(fs.statSync(path.join(dir, 's')).isDirectory()).toBe(true);
      await d.stop();
      d = await startBerthContainerd(dir, { args: ['-c', config, '--root', `${dir}/flag-root`], address: sock });
      expect(ctr(sock, ['plugins', 'ls', '-d', 'id==level']).stdout).toContain(`${dir}/flag-root/io.containerd.metadata.v1.level`);
      await d.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('will not take over the socket of a live daemon', async () => {
    const dir = tempDir('live');
    try {
      const d = await startBerthContainerd(dir);
      const second = spawn(bin('berth-containerd'), [
        '--root', path.join(dir, 'root2'), '--state', path.join(dir, 'state2'), '--address', d.address,
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      second.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const code = await new Promise<number | null>((r) => second.on('exit', r));
      expect(code).toBe(1);
      expect(err).toMatch(/"level":"error","msg":"berth-containerd failed".*is in use by another daemon/);
      expect(ctr(d.address, ['version']).status).toBe(0);
      await d.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
