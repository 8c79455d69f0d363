/**
 * The real `ctr leases` against berth-containerd, and what leases do for the
 * garbage collector: content written under a lease ("containerd-lease"
 * metadata, as the containerd client sends it) or added to one stays while
 * the lease lives, goes with `leases rm --sync`, and goes by itself when the
 * lease's containerd.io/gc.expire time passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Content, WriteAction } from '../../packages/containerd/src/gen/containerd/services/content/v1/content_pb.js';
import { Leases } from '../../packages/containerd/src/gen/containerd/services/leases/v1/leases_pb.js';
import { connect, createClient } from '../../packages/containerd/src/index.js';
import { sha256 } from '../helpers/oci-image.js';
import { ctr, haveProgram, startBerthContainerd, tempDir, type Running } from './daemons.js';
import { ctrIn } from './storage.js';

describe.skipIf(!haveProgram('ctr'))('ctr leases against berth-containerd', () => {
  let dir: string;
  let d: Running;
  const run = (...args: string[]) => ctr(d.address, args);
  const onDisk = (digest: string) =>
    fs.existsSync(path.join(dir, 'root', 'io.containerd.content.v1.content', 'blobs', 'sha256', digest.slice(7)));

  /** Writes `data` through the content service under `lease`. */
  async function writeUnder(lease: string, data: string): Promise<string> {
    const channel = connect(d.address);
    try {
      const content = createClient(Content, channel, { namespace: 'default' });
      const requests = async function* () {
        yield { action: WriteAction.STAT, ref: `ref-${data}`, total: BigInt(data.length), expected: sha256(data) };
        yield { action: WriteAction.COMMIT, offset: 0n, data: Buffer.from(data), total: BigInt(data.length), expected: sha256(data) };
      };
      const responses = content.write(requests(), { metadata: { 'containerd-lease': lease } });
      for await (const r of responses) void r;
      return sha256(data);
    } finally {
      channel.close();
    }
  }

  beforeAll(async () => {
    dir = tempDir('leases');
    d = await startBerthContainerd(dir);
  });
  afterAll(async () => {
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates (given or random ids, labels, default 24h expiry), lists with filters, and removes', () => {
    expect(run('leases', 'create', '--id', 'l1', 'a=b').stdout).toBe('l1\n');
    const random = run('leases', 'create').stdout.trim();
    expect(random).toMatch(/^\d+-[A-Za-z0-9_-]{4}$/);
    expect(run('leases', 'create', '-x', '0', '--id', 'forever').status).toBe(0);
    const ls = run('leases', 'ls');
    const lines = ls.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID +CREATED AT +LABELS +$/);
    const row = (id: string) => lines.find((l) => l.startsWith(`${id} `))?.trim().split(/\s+/);
    const l1 = row('l1')!;
    expect(l1[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    const expire = /containerd\.io\/gc\.expire=(\S+)$/.exec(l1[2]!)?.[1];
    expect(l1[2]).toMatch(/^a=b,containerd\.io\/gc\.expire=/);
    expect(Math.abs(Date.parse(expire!) - Date.now() - 24 * 3600_000)).toBeLessThan(60_000);
    expect(row('forever')).toEqual(['forever', expect.any(String), '-']);
    expect(row(random)?.[2]).toMatch(/^containerd\.io\/gc\.expire=/);
    expect(run('leases', 'ls', '-q', 'labels.a==b').stdout).toBe('l1\n');
    expect(run('leases', 'ls', '-q', 'id==forever').stdout).toBe('forever\n');
    expect(run('leases', 'create', '--id', 'l1').stderr).toBe('ctr: lease "l1": already exists\n');
    expect(run('leases', 'rm', 'nope').stderr).toBe('ctr: lease "nope": not found\n');
    expect(run('leases', 'rm', 'l1', random, 'forever').stdout).toBe(`l1\n${random}\nforever\n`);
    expect(run('leases', 'ls', '-q').stdout).toBe('');
  });

  it('keeps content written under a lease, and collects it with `leases rm --sync`', async () => {
    run('leases', 'create', '--id', 'pull');
    const digest = await writeUnder('pull', 'leased bytes');
    const channel = connect(d.address);
    try {
      const leases = createClient(Leases, channel, { namespace: 'default' });
      expect((await leases.listResources({ id: 'pull' })).resources.map((r) => ({ id: r.id, type: r.type }))).toEqual([
        { id: digest, type: 'content' },
      ]);
      // an unlabelled blob nobody holds goes at the next collection; this one stays
      expect(ctrIn(d.address, ['content', 'ingest', 'loose'], 'loose bytes').status).toBe(0);
      run('leases', 'create', '--id', 'tick');
      run('leases', 'rm', '--sync', 'tick');
      expect(run('content', 'ls', '-q').stdout).toBe(`${digest}\n`);
      expect(onDisk(sha256('loose bytes'))).toBe(false);

      // resources can be added by hand too
      const extra = sha256('added');
      expect(ctrIn(d.address, ['content', 'ingest', 'added'], 'added').status).toBe(0);
      await leases.addResource({ id: 'pull', resource: { id: extra, type: 'content' } });
      const bad = await leases.addResource({ id: 'pull', resource: { id: 'x', type: 'containers' } }).catch((e: Error) => e);
      expect((bad as Error & { code: string }).code).toBe('NotImplemented');
    } finally {
      channel.close();
    }
    expect(run('leases', 'rm', '--sync', 'pull').stdout).toBe('pull\n');
    expect(run('content', 'ls', '-q').stdout).toBe('');
    expect(onDisk(digest)).toBe(false);
  });

  it('drops an expired lease and what only it held, without being asked', async () => {
    // ctr writes the expiry with whole seconds: it comes 2 to 3 s from now
    expect(run('leases', 'create', '--id', 'short', '-x', '3s').status).toBe(0);
    const digest = await writeUnder('short', 'short-lived');
    expect(run('content', 'ls', '-q').stdout).toBe(`${digest}\n`);
    for (let i = 0; i < 150 && run('leases', 'ls', '-q').stdout !== ''; i++) await new Promise((r) => setTimeout(r, 100));
    expect(run('leases', 'ls', '-q').stdout).toBe('');
    expect(run('content', 'ls', '-q').stdout).toBe('');
    expect(onDisk(digest)).toBe(false);
  });
});
