/**
 * ProcessIO with real fifos and pipes, the test playing both the client (it
 * reads and writes the fifos) and the container (it holds the container's ends
 * of the pipes, reopened through /proc before launched() closes the shim's).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@berth/containerd/log';
import { ProcessIO, type IOConfig } from './process-io.js';

let dir: string;
const mkfifo = (p: string, mode: number) => execFileSync('mkfifo', ['-m', mode.toString(8), p]);
const deps = () => ({ pipeDir: dir, mkfifo, setWinsize: () => {}, log: silentLogger });
const reopen = (fd: number, flags: string) => fs.openSync(`/proc/self/fd/${fd}`, flags);

/** Reads a path, or an fd (not reopened: reopening a pipe whose writer is gone would block forever). */
function readAll(p: string | number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    (typeof p === 'number' ? fs.createReadStream('', { fd: p, encoding: 'utf8', autoClose: false }) : fs.createReadStream(p, { encoding: 'utf8' }))
      .on('data', (d) => {
        text += d as string;
      })
      .on('end', () => resolve(text))
      .on('error', reject);
  });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-io-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function fifos(...names: string[]): string[] {
  return names.map((n) => {
    const p = path.join(dir, n);
    mkfifo(p, 0o600);
    return p;
  });
}

describe('ProcessIO', () => {
  it('copies the process output to the client fifos and ends them when the process closes its end', async () => {
    const [out, err] = fifos('out', 'err') as [string, string];
    const cfg: IOConfig = { stdin: '', stdout: out, stderr: err, terminal: false };
    const io = new ProcessIO(cfg, deps());
    const [stdin, stdout, stderr] = io.containerStdio();
    expect(fs.readlinkSync(`/proc/self/fd/${stdin}`)).toBe('/dev/null');
    const procOut = reopen(stdout, 'w');
    const procErr = reopen(stderr, 'w');
    io.launched();
    const outText = readAll(out);
    const errText = readAll(err);
    fs.writeSync(procOut, 'to stdout\n');
    fs.writeSync(procErr, 'to stderr\n');
    fs.closeSync(procOut);
    fs.closeSync(procErr);
    expect(await outText).toBe('to stdout\n');
    expect(await errText).toBe('to stderr\n');
    expect(await io.drained(1_000)).toBe(true);
  });

  it('keeps output while no client reads, until one comes (nothing lost)', async () => {
    const [out] = fifos('out') as [string];
    const io = new ProcessIO({ stdin: '', stdout: out, stderr: '', terminal: false }, deps());
    const procOut = reopen(io.containerStdio()[1], 'w');
    io.launched();
    // A writer of 1 MB more than the pipes hold: it must wait, not fail.
    const writer = spawn('seq', ['1', '150000'], { stdio: ['ignore', procOut, 'ignore'] });
    fs.closeSync(procOut);
    await new Promise((r) => setTimeout(r, 300));
    expect(writer.exitCode).toBeNull(); // blocked on the full pipe: backpressure, not loss
    const text = await readAll(out);
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(150000);
    expect(lines[149999]).toBe('150000');
  });

  it('feeds stdin from its fifo and closes the process stdin at the end of it or on CloseIO', async () => {
    const [inPath] = fifos('in') as [string];
    const io = new ProcessIO({ stdin: inPath, stdout: '', stderr: '', terminal: false }, deps());
    const procIn = reopen(io.containerStdio()[0], 'r');
    io.launched();
    const client = fs.openSync(inPath, 'w');
    fs.writeSync(client, 'typed\n');
    fs.closeSync(client);
    const got = await readAll(procIn);
    expect(got).toBe('typed\n');
    fs.closeSync(procIn);

    const [in2] = fifos('in2') as [string];
    const io2 = new ProcessIO({ stdin: in2, stdout: '', stderr: '', terminal: false }, deps());
    const procIn2 = reopen(io2.containerStdio()[0], 'r');
    io2.launched();
    const client2 = fs.openSync(in2, 'w'); // the client keeps stdin open ...
    io2.closeStdin(); // ... and asks for it to be closed
    expect(await readAll(procIn2)).toBe('');
    fs.closeSync(client2);
    fs.closeSync(procIn2);
  });

  it('writes file:// outputs to files and refuses logging binaries', async () => {
    const file = path.join(dir, 'logs', 'out.log');
    const io = new ProcessIO({ stdin: '', stdout: `file://${file}`, stderr: '', terminal: false }, deps());
    const procOut = reopen(io.containerStdio()[1], 'w');
    io.launched();
    fs.writeSync(procOut, 'logged\n');
    fs.closeSync(procOut);
    expect(await io.drained(1_000)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('logged\n');
    expect(() => new ProcessIO({ stdin: '', stdout: 'binary:///usr/bin/logger', stderr: '', terminal: false }, deps())).toThrow(
      expect.objectContaining({ code: 'NotImplemented' }),
    );
  });
});
