import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readExitRecord, writeExitRecord } from './exit-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('exit records', () => {
  it('are written whole under their final name, one file per process', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-exit-')), 'exits');
    dirs.push(path.dirname(dir));
    writeExitRecord(dir, { id: 'c', execId: '', pid: 42, exitStatus: 7, exitedAt: '2024-01-01T00:00:00.000Z' });
    writeExitRecord(dir, { id: 'c', execId: 'a/b', pid: 43, exitStatus: 137, exitedAt: '2024-01-01T00:00:01.000Z' });
    expect(fs.readdirSync(dir).sort()).toEqual(['exec.a%2Fb.json', 'init.json']);
    expect(readExitRecord(dir, '')).toMatchObject({ pid: 42, exitStatus: 7 });
    expect(readExitRecord(dir, 'a/b')).toMatchObject({ pid: 43, exitStatus: 137 });
    expect(readExitRecord(dir, 'other')).toBeUndefined();
    // rewriting replaces atomically (no temp files left)
    writeExitRecord(dir, { id: 'c', execId: '', pid: 42, exitStatus: 8, exitedAt: '2024-01-01T00:00:02.000Z' });
    expect(readExitRecord(dir, '')?.exitStatus).toBe(8);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
