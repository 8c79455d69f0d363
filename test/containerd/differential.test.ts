/**
 * Differential test: the same `ctr` command lines against the real containerd
 * 1.6 and against berth-containerd must print the same thing and exit the same
 * way. Needs root (containerd) and the Debian containerd package.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctr, haveProgram, startBerthContainerd, startRealContainerd, tempDir, type Running } from './daemons.js';

const canRun = haveProgram('containerd') && haveProgram('ctr') && process.getuid?.() === 0;

// Each line is one ctr invocation; they run in this order against both daemons.
const script: string[][] = [
  ['namespaces', 'ls'],
  ['namespaces', 'create', 'foo', 'a=b', 'com.example/key=v1'],
  ['namespaces', 'create', 'bar'],
  ['namespaces', 'create', 'foo'],
  ['namespaces', 'create', 'bad!name'],
  ['namespaces', 'create', 'x'.repeat(77)],
  ['namespaces', 'create', '-dash'],
  ['namespaces', 'ls'],
  ['namespaces', 'label', 'foo', 'c=d', 'a='],
  ['namespaces', 'ls'],
  ['namespaces', 'ls', '-q'],
  ['namespaces', 'label', 'implicit', 'made=by-label'],
  ['namespaces', 'ls'],
  ['namespaces', 'rm', 'foo', 'nothere', 'implicit'],
  ['namespaces', 'ls'],
  ['plugins', 'ls', 'type=='],
  ['plugins', 'ls', '-q', 'id==namespaces'],
  ['plugins', 'ls', '-q', 'type==io.containerd.grpc.v1,id==version'],
  ['plugins', 'ls', '-q', 'id==introspection-service', 'id==namespaces-service'],
];

// The one known difference: containerd wraps filter parse errors twice (": invalid argument: invalid argument").
const normalise = (s: string) => s.replace(/(: invalid argument)+\n/, ': invalid argument\n');

describe.skipIf(!canRun)('ctr output: real containerd vs berth-containerd', () => {
  const dirs: string[] = [];
  let real: Running;
  let ours: Running;

  beforeAll(async () => {
    dirs.push(tempDir('diff-real'), tempDir('diff-ours'));
    real = await startRealContainerd(dirs[0]);
    ours = await startBerthContainerd(dirs[1]);
  });

  afterAll(async () => {
    await real?.stop();
    await ours?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('prints the same for the same commands', () => {
    for (const args of script) {
      const a = ctr(real.address, args);
      const b = ctr(ours.address, args);
      const what = `ctr ${args.join(' ')}`;
      expect({ status: b.status, stdout: b.stdout, stderr: normalise(b.stderr) }, what).toEqual({
        status: a.status,
        stdout: a.stdout,
        stderr: normalise(a.stderr),
      });
    }
  });
});
