/**
 * The real `ctr` against berth-containerd's content store: ingest, ls (with
 * filters), get, label, active, rm, and the errors containerd gives for
 * unknown and malformed digests and for bytes that do not match their
 * digest. Plus what ctr cannot show: a second writer on the same ref,
 * namespaces sharing a blob, and the blob directory after garbage collection.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Content, WriteAction } from '../../packages/containerd/src/gen/containerd/services/content/v1/content_pb.js';
import { connect, createClient } from '../../packages/containerd/src/index.js';
import { sha256 } from '../helpers/oci-image.js';
import { ctr, haveProgram, startBerthContainerd, tempDir, type Running } from './daemons.js';
import { ctrIn } from './storage.js';

const unknown = `sha256:${'1'.repeat(64)}`;

describe.skipIf(!haveProgram('ctr'))('ctr content against berth-containerd', () => {
  let dir: string;
  let d: Running;
  const run = (...args: string[]) => ctr(d.address, args);
  const blobDir = () => path.join(dir, 'root', 'io.containerd.content.v1.content', 'blobs', 'sha256');
  const onDisk = () => (fs.existsSync(blobDir()) ? fs.readdirSync(blobDir()).sort() : []);

  beforeAll(async () => {
    dir = tempDir('content');
    d = await startBerthContainerd(dir);
    // Past the collection a daemon runs just after starting, which would take
    // blobs nothing holds (as containerd's does).
    await collected(d.address);
  });
  afterAll(async () => {
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ingests from stdin, lists, gets, labels and filters', () => {
    const data = 'hello berth\n';
    const digest = sha256(data);
    expect(ctrIn(d.address, ['content', 'ingest', 'ref1'], data).status).toBe(0);
    const ls = run('content', 'ls');
    expect(ls.stdout).toMatch(new RegExp(`^DIGEST\\t+SIZE\\t+AGE\\t+LABELS\\n${digest}\\t12B\\tLess than a second\\t-\\n$`));
    expect(run('content', 'get', digest).stdout).toBe(data);
    const label = run('content', 'label', digest, 'a=b', 'c=d');
    expect(label.stdout.trim().split(',').sort()).toEqual(['a=b', 'c=d']);
    expect(run('content', 'label', digest, 'c=').stdout).toBe('a=b\n');
    expect(run('content', 'ls', '-q', 'labels.a==b').stdout).toBe(`${digest}\n`);
    expect(run('content', 'ls', '-q', 'labels.a==x').stdout).toBe('');
    expect(run('content', 'ls', '-q', `digest==${digest}`).stdout).toBe(`${digest}\n`);
    // ingesting the same bytes again is a no-op, as against containerd
    expect(ctrIn(d.address, ['content', 'ingest', '--expected-digest', digest, 'ref2'], data).status).toBe(0);
    expect(fs.readFileSync(path.join(blobDir(), digest.slice(7)), 'utf8')).toBe(data);
  });

  it('refuses bytes that do not match, keeps the ingest resumable, and shows it as active', () => {
    const wrong = sha256('something else');
    const r = ctrIn(d.address, ['content', 'ingest', '--expected-digest', wrong, 'badref'], 'hello');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `ctr: failed commit on ref "badref": commit failed: unexpected commit digest ${sha256('hello')}, expected ${wrong}: failed precondition\n`,
    );
    expect(onDisk()).not.toContain(sha256('hello').slice(7));
    expect(run('content', 'ls', '-q').stdout).not.toContain(sha256('hello'));
    const active = run('content', 'active');
    expect(active.stdout).toMatch(/^REF\tSIZE\tAGE\t+\nbadref\t5B\t(Less than a second|\d+ seconds)\t\n$/);
    // from a pipe ctr cannot resume (it seeks its input to the ingest's offset), as against containerd
    expect(ctrIn(d.address, ['content', 'ingest', '--expected-digest', sha256('hello'), 'badref'], 'hello').stderr).toBe(
      'ctr: unable to resume write to badref: failed to seek to offset 5: seek /dev/stdin: illegal seek\n',
    );
    // from a file it does, and the same ref commits
    expect(ctrIn(d.address, ['content', 'ingest', '--expected-digest', sha256('hello'), 'badref'], 'hello', { seekable: true }).status).toBe(0);
    expect(run('content', 'active').stdout).toBe('REF\tSIZE\tAGE\t\n');
    expect(run('content', 'get', sha256('hello')).stdout).toBe('hello');
  });

  it('answers unknown and malformed digests as containerd does', () => {
    const get = run('content', 'get', unknown);
    expect(get.status).toBe(1);
    expect(get.stderr).toBe(`ctr: content digest ${unknown}: not found\n`);
    // ctr ignores NotFound on rm
    expect(run('content', 'rm', unknown)).toMatchObject({ status: 0, stdout: '' });
    const label = run('content', 'label', unknown, 'a=b');
    expect(label.stderr).toBe(`ctr: content digest ${unknown}: not found\n`);
  });

  it('answers a second writer of a ref Unavailable (ref ... locked) and InvalidArgument for malformed digests', async () => {
    const channel = connect(d.address);
    try {
      const content = createClient(Content, channel, { namespace: 'default' });
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const first = content.write(
        (async function* () {
          yield { action: WriteAction.STAT, ref: 'contended' };
          await held;
        })(),
      )[Symbol.asyncIterator]();
      expect((await first.next()).value?.offset).toBe(0n);
      const second = await content
        .write(
          (async function* () {
            yield { action: WriteAction.STAT, ref: 'contended' };
          })(),
        )
        [Symbol.asyncIterator]()
        .next()
        .then(
          () => undefined,
          (e: unknown) => e as Error & { code: string },
        );
      expect(second?.code).toBe('Unavailable');
      expect(second?.message).toMatch(/^ref default\/1\/contended locked for [\d.]+(µs|ms|s) \(since .* UTC m=\+[\d.]+\)$/);
      release();
      await first.next();
      for (const [call, message] of [
        [() => content.info({ digest: 'sha256:abc' }), '"sha256:abc" failed validation'],
        [() => content.delete({ digest: 'sha256:abc' }), 'invalid checksum digest length'],
        [() => content.info({ digest: 'md5:abc' }), '"md5:abc" failed validation'],
      ] as const) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e as Error & { code: string },
        );
        expect({ code: err?.code, message: err?.message }).toEqual({ code: 'InvalidArgument', message });
      }
    } finally {
      channel.close();
    }
  });

  it('keeps one copy on disk for namespaces that share a blob, and removes it when none refers to it', async () => {
    const data = 'shared between namespaces';
    const digest = sha256(data);
    expect(ctrIn(d.address, ['-n', 'one', 'content', 'ingest', '--expected-digest', digest, 'r'], data).status).toBe(0);
    // the second namespace proves it knows the digest; its bytes are not needed
    expect(ctrIn(d.address, ['-n', 'two', 'content', 'ingest', '--expected-digest', digest, 'r'], data, { seekable: true }).status).toBe(0);
    expect(run('-n', 'two', 'content', 'get', digest).stdout).toBe(data);
    expect(run('-n', 'three', 'content', 'get', digest).stderr).toBe(`ctr: content digest ${digest}: not found\n`);
    // nothing holds an unlabelled blob: a gc.root label keeps it through collections
    run('-n', 'two', 'content', 'label', digest, 'containerd.io/gc.root=yes');
    expect(run('-n', 'one', 'content', 'rm', digest).stdout).toBe(`${digest}\n`);
    await collected(d.address);
    expect(run('-n', 'two', 'content', 'get', digest).stdout).toBe(data);
    expect(onDisk()).toContain(digest.slice(7));
    run('-n', 'two', 'content', 'label', digest, 'containerd.io/gc.root=');
    // nothing holds it now: an unrelated deletion wakes the collector, which sweeps it
    expect(run('-n', 'two', 'leases', 'create', '--id', 'tmp').status).toBe(0);
    expect(run('-n', 'two', 'leases', 'rm', '--sync', 'tmp').status).toBe(0);
    expect(run('-n', 'two', 'content', 'ls', '-q').stdout).toBe('');
    expect(onDisk()).not.toContain(digest.slice(7));
  });
});

describe.skipIf(!haveProgram('ctr'))('content across a restart of berth-containerd', () => {
  it('keeps blobs and labels, and resumes an ingest where it stopped', async () => {
    const dir = tempDir('content-restart');
    try {
      let d = await startBerthContainerd(dir);
      await collected(d.address);
      const kept = 'kept across restarts';
      expect(ctrIn(d.address, ['content', 'ingest', 'k'], kept).status).toBe(0);
      expect(ctr(d.address, ['content', 'label', sha256(kept), 'containerd.io/gc.root=1']).status).toBe(0);
      // half an ingest, then the writer goes away
      const channel = connect(d.address);
      const content = createClient(Content, channel, { namespace: 'default' });
      const half = content.write(
        (async function* () {
          yield { action: WriteAction.STAT, ref: 'half', total: 10n };
          yield { action: WriteAction.WRITE, offset: 0n, data: Buffer.from('01234') };
        })(),
      );
      for await (const r of half) void r;
      channel.close();
      expect(await d.stop()).toBe(0);

      d = await startBerthContainerd(dir);
      await collected(d.address);
      expect(ctr(d.address, ['content', 'get', sha256(kept)]).stdout).toBe(kept);
      expect(ctr(d.address, ['content', 'active']).stdout).toMatch(/\nhalf\t5B\t/);
      // ctr resumes from a seekable input: only the last five bytes are sent
      const r = ctrIn(d.address, ['content', 'ingest', '--expected-size', '10', '--expected-digest', sha256('0123456789'), 'half'], '0123456789', {
        seekable: true,
      });
      expect(r.status).toBe(0);
      expect(ctr(d.address, ['content', 'get', sha256('0123456789')]).stdout).toBe('0123456789');
      await d.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Waits for a collection that starts now (a lease deleted with --sync). */
async function collected(address: string): Promise<void> {
  const id = `sync-${process.hrtime.bigint()}`;
  expect(ctr(address, ['leases', 'create', '--id', id]).status).toBe(0);
  expect(ctr(address, ['leases', 'rm', '--sync', id]).status).toBe(0);
}
