import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayer } from './apply.js';
import { compareMounts, readonlyMounts } from './compare.js';
import { directoryContent } from './content.js';
import { MediaTypes } from './media.js';
import { readTar } from './tarread.js';
import { Readable } from 'node:stream';

const isRoot = process.getuid?.() === 0;
const bind = (source: string) => [{ type: 'bind', source, options: ['rw', 'rbind'] }];

/** Every path with its type, mode, owner, size, link target and content. */
function snapshotOf(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const p = rel === '' ? name : `${rel}/${name}`;
      const st = fs.lstatSync(path.join(root, p));
      const what = st.isSymbolicLink() ? `-> ${fs.readlinkSync(path.join(root, p))}` : st.isFile() ? fs.readFileSync(path.join(root, p), 'utf8') : '';
      out[p] = `${(st.mode & 0o170000).toString(8)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${what}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
}

describe.skipIf(!isRoot)('compareMounts (as root)', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-compare-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes a layer that turns the left tree into the right one', async () => {
    const left = path.join(tmp, 'left');
    fs.mkdirSync(path.join(left, 'd/sub'), { recursive: true });
    fs.writeFileSync(path.join(left, 'a'), 'a1');
    fs.writeFileSync(path.join(left, 'b'), 'b');
    fs.writeFileSync(path.join(left, 'd/x'), 'x');
    fs.writeFileSync(path.join(left, 'd/sub/y'), 'y');
    const right = path.join(tmp, 'right');
    execFileSync('cp', ['-a', left, right]);
    fs.writeFileSync(path.join(right, 'a'), 'a2');
    fs.rmSync(path.join(right, 'b'));
    fs.rmSync(path.join(right, 'd/sub'), { recursive: true });
    fs.writeFileSync(path.join(right, 'd/new'), 'n');
    fs.chownSync(path.join(right, 'd/new'), 7, 8);
    fs.linkSync(path.join(right, 'd/new'), path.join(right, 'd/new2'));
    fs.symlinkSync('../a', path.join(right, 'd/link'));
    fs.chmodSync(path.join(right, 'd/x'), 0o600);

    const contentRoot = path.join(tmp, 'content');
    const content = directoryContent(contentRoot);
    const desc = await compareMounts(content, 'default', bind(left), bind(right), { mediaType: '', ref: '', labels: {}, tmpRoot: tmp });
    expect(desc.mediaType).toBe(MediaTypes.layerGzip);
    const blob = fs.readFileSync(path.join(contentRoot, 'blobs/sha256', desc.digest.slice(7)));
    expect(blob.length).toBe(desc.size);

    const names: string[] = [];
    for await (const e of readTar(Readable.from([zlib.gunzipSync(blob)]))) {
      names.push(`${e.header.type} ${e.header.name}`);
      e.body.resume();
    }
    expect(names).toEqual([
      'file a',
      'file .wh.b',
      'directory d/',
      'symlink d/link',
      'file d/new',
      'link d/new2',
      'file d/.wh.sub',
      'file d/x',
    ]);

    // applying it to a copy of the left gives the right
    const target = path.join(tmp, 'target');
    execFileSync('cp', ['-a', left, target]);
    await applyLayer(content, 'default', { mediaType: desc.mediaType, digest: desc.digest, size: desc.size, annotations: {} }, bind(target), { tmpRoot: tmp });
    expect(snapshotOf(target)).toEqual(snapshotOf(right));
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(tmp);
  });

  it('mounts overlay uppers read-only by stacking them as a lower', () => {
    expect(readonlyMounts([{ type: 'overlay', source: 'overlay', options: ['index=off', 'workdir=/w', 'upperdir=/u', 'lowerdir=/l1:/l2'] }])).toEqual([
      { type: 'overlay', source: 'overlay', options: ['index=off', 'lowerdir=/u:/l1:/l2'] },
    ]);
    expect(readonlyMounts([{ type: 'bind', source: '/s', options: ['rw', 'rbind'] }])[0]!.options).toEqual(['rbind', 'ro']);
  });
});
