import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rechunk } from './ingest.js';
import { directorySize, mountDirs } from './layer-size.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berthd-size-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('directorySize (moby directory.Size)', () => {
  it('adds file and symlink lengths, a hard link once, no directories or empty files', async () => {
    const d = path.join(tmp, 'tree');
    fs.mkdirSync(path.join(d, 'a/b/c'), { recursive: true });
    fs.writeFileSync(path.join(d, 'a/one'), 'x'.repeat(1000));
    fs.writeFileSync(path.join(d, 'a/b/two'), 'y'.repeat(24));
    fs.linkSync(path.join(d, 'a/b/two'), path.join(d, 'a/b/c/two-again'));
    fs.writeFileSync(path.join(d, 'empty'), '');
    fs.symlinkSync('a/one', path.join(d, 'link')); // 5 bytes of target
    fs.symlinkSync('/', path.join(d, 'root-link')); // never followed
    expect(await directorySize(d)).toBe(1000 + 24 + 5 + 1);
    expect(await directorySize(path.join(tmp, 'missing'))).toBe(0);
  });
});

describe('mountDirs', () => {
  it('reads the overlayfs snapshotter\'s mounts', () => {
    expect(mountDirs([{ type: 'overlay', source: 'overlay', options: ['index=off', 'workdir=/w', 'upperdir=/u', 'lowerdir=/l2:/l1'] }]))
      .toEqual({ upper: '/u', lowers: ['/l2', '/l1'] });
    expect(mountDirs([{ type: 'overlay', source: 'overlay', options: ['lowerdir=/l3:/l2:/l1'] }])).toEqual({ lowers: ['/l3', '/l2', '/l1'] });
    expect(mountDirs([{ type: 'bind', source: '/only', options: ['ro', 'rbind'] }])).toEqual({ lowers: ['/only'] });
    expect(mountDirs([{ type: 'bind', source: '/rw', options: ['rw', 'rbind'] }])).toEqual({ upper: '/rw', lowers: [] });
    expect(mountDirs([])).toEqual({ lowers: [] });
  });
});

describe('rechunk', () => {
  it('regroups pieces into fixed-size ones without losing a byte', async () => {
    async function* pieces() {
      for (const n of [3, 10, 1, 7, 0, 15]) yield Buffer.alloc(n, n);
    }
    const out: Uint8Array[] = [];
    for await (const c of rechunk(pieces(), 8)) out.push(c);
    expect(out.map((c) => c.length)).toEqual([8, 8, 8, 8, 4]);
    expect(Buffer.concat(out)).toEqual(Buffer.concat([3, 10, 1, 7, 0, 15].map((n) => Buffer.alloc(n, n))));
  });
});
