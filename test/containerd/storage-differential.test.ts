/**
 * Differential test for content, leases and images: the same `ctr` lines
 * (some with data on stdin) against the real containerd 1.6 and against
 * berth-containerd print the same thing and exit the same way, once ages,
 * times and the random order of Go maps are normalised. Needs root
 * (containerd) and the Debian containerd package.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../helpers/oci-image.js';
import { ctr, haveProgram, startBerthContainerd, startRealContainerd, tempDir, type Running } from './daemons.js';
import { busyboxTar, ctrIn, haveRootfs, normalise } from './storage.js';

const canRun = haveProgram('containerd') && haveProgram('ctr') && process.getuid?.() === 0 && haveRootfs;

const hello = sha256('hello\n');
const unknown = `sha256:${'1'.repeat(64)}`;
const name = 'docker.io/library/busybox:latest';

interface Step {
  args: string[];
  input?: string;
  seekable?: boolean;
  /** containerd lists these from a Go map: compare the rows in sorted order. */
  unordered?: boolean;
}

/** The script; `<tar>` and `<out>` are replaced by paths in each daemon's directory. */
const script: Step[] = [
  { args: ['plugins', 'ls', '-q', 'type==io.containerd.content.v1'] },
  { args: ['plugins', 'ls', '-q', 'type==io.containerd.gc.v1'] },
  { args: ['plugins', 'ls', '-q', 'id==content-service', 'id==images-service', 'id==leases-service'] },
  // past the collection each daemon runs just after starting (it would take the blobs below)
  { args: ['leases', 'create', '--id', 'tick0'] },
  { args: ['leases', 'rm', '--sync', 'tick0'] },
  { args: ['content', 'ls'] },
  { args: ['content', 'ingest', 'r1'], input: 'hello\n' },
  { args: ['content', 'ingest', '--expected-digest', hello, 'r1b'], input: 'hello\n' },
  { args: ['content', 'ingest', '--expected-digest', sha256('nope'), 'r2'], input: 'hello' },
  { args: ['content', 'ingest', '--expected-digest', sha256('hello'), 'r2'], input: 'hello' },
  { args: ['content', 'ingest', '--expected-size', '3', 'r3'], input: 'hello' },
  { args: ['content', 'active'], unordered: true },
  { args: ['content', 'ls'] },
  { args: ['content', 'get', hello] },
  { args: ['content', 'get', unknown] },
  { args: ['content', 'label', hello, 'a=b', 'c=d'] },
  { args: ['content', 'label', hello, 'c='] },
  { args: ['content', 'label', unknown, 'a=b'] },
  { args: ['content', 'ls', '-q', 'labels.a==b'] },
  { args: ['content', 'ls', 'labels.a=='] },
  { args: ['content', 'rm', unknown] },
  { args: ['-n', 'other', 'content', 'ingest', '--expected-digest', hello, 'r1'], input: 'hello\n', seekable: true },
  { args: ['-n', 'other', 'content', 'ls'] },
  { args: ['content', 'rm', hello] },
  { args: ['content', 'ls', '-q'] },
  // a collection now (it would come by itself soon after the deletion, at a time that differs)
  { args: ['leases', 'create', '--id', 'tick'] },
  { args: ['leases', 'rm', '--sync', 'tick'] },
  // nothing held the blob in "other" (no label, no lease, no image): collected there too
  { args: ['-n', 'other', 'content', 'get', hello] },
  { args: ['leases', 'create', '--id', 'l1', 'a=b'] },
  { args: ['leases', 'create', '-x', '0', '--id', 'l2'] },
  { args: ['leases', 'create', '--id', 'l1'] },
  { args: ['leases', 'ls'] },
  { args: ['leases', 'ls', '-q', 'labels.a'] },
  { args: ['leases', 'ls', 'id=='] },
  { args: ['leases', 'rm', 'nope'] },
  { args: ['leases', 'rm', 'l1', 'l2'] },
  { args: ['leases', 'ls'] },
  { args: ['images', 'ls'] },
  { args: ['images', 'import', '--no-unpack', '<tar>'] },
  { args: ['images', 'ls'] },
  { args: ['images', 'tag', name, 'docker.io/library/busybox:two'] },
  { args: ['images', 'tag', name, 'docker.io/library/busybox:two'] },
  { args: ['images', 'tag', 'nope:1', 'x:1'] },
  { args: ['images', 'label', 'docker.io/library/busybox:two', 'x=y'] },
  { args: ['images', 'label', 'nope:1', 'x=y'] },
  { args: ['images', 'ls'] },
  { args: ['images', 'ls', '-q', 'labels.x==y'] },
  { args: ['images', 'ls', 'name=='] },
  { args: ['images', 'export', '<out>', 'docker.io/library/busybox:two'] },
  { args: ['images', 'rm', 'docker.io/library/busybox:two', 'nope:1'] },
  { args: ['leases', 'ls'] },
  { args: ['images', 'rm', '--sync', name] },
  { args: ['images', 'ls'] },
  { args: ['content', 'ls'] },
  { args: ['-n', 'other', 'content', 'ls', '-q'] },
];

describe.skipIf(!canRun)('ctr content, leases, images: real containerd vs berth-containerd', () => {
  const dirs: string[] = [];
  let real: Running;
  let ours: Running;

  beforeAll(async () => {
    dirs.push(tempDir('sdiff-real'), tempDir('sdiff-ours'));
    for (const dir of dirs) busyboxTar(dir, name);
    real = await startRealContainerd(dirs[0]);
    ours = await startBerthContainerd(dirs[1]);
  });

  afterAll(async () => {
    await real?.stop();
    await ours?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('prints the same for the same commands', () => {
    const exec = (d: Running, step: Step) => {
      const args = step.args.map((a) => a.replace('<tar>', path.join(d.dir, 'busybox.tar')).replace('<out>', path.join(d.dir, 'out.tar')));
      const r = step.input === undefined ? ctr(d.address, args) : ctrIn(d.address, args, step.input, { seekable: step.seekable });
      // "ctr: ..." and warnings; the log lines carry times and levels
      const stderr = r.stderr.replace(/^time="[^"]+" level=(\w+) msg=/gm, 'level=$1 msg=');
      let stdout = normalise(r.stdout);
      if (step.unordered === true) {
        const [head, ...rows] = stdout.split('\n');
        stdout = [head, ...rows.filter((r) => r !== '').sort()].join('\n');
      }
      return { status: r.status, stdout, stderr: normalise(stderr).replace(/(: invalid argument)+\n/, ': invalid argument\n') };
    };
    for (const step of script) {
      const a = exec(real, step);
      const b = exec(ours, step);
      expect(b, `ctr ${step.args.join(' ')}`).toEqual(a);
    }
    // the exported archives are the same size (ctr writes them from the same blobs)
    const size = (d: Running) => fs.statSync(path.join(d.dir, 'out.tar')).size;
    expect(size(ours)).toBe(size(real));
  });
});
