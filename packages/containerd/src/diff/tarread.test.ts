import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getXattr, setXattr } from './fsops.js';
import { readTar } from './tarread.js';
import { tarBuffer } from './tarwrite.js';

const isRoot = process.getuid?.() === 0;
const binary = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xfe, 0x80, 0x00, 0x0a, 0x3d]);

async function entries(tar: Buffer) {
  const out: Array<{ name: string; type: string; xattrs: Map<string, Buffer>; data: string }> = [];
  for await (const e of readTar(Readable.from([tar]))) {
    const chunks: Buffer[] = [];
    for await (const c of e.body) chunks.push(c);
    out.push({ name: e.header.name, type: e.header.type, xattrs: e.header.xattrs, data: Buffer.concat(chunks).toString() });
  }
  return out;
}

describe('tar reading and writing', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tar-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('keeps binary xattr values and long names through our writer and reader', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    const tar = await tarBuffer([
      { header: { name: long, type: 'file', mode: 0o644, xattrs: new Map([['security.capability', binary]]) }, body: Buffer.from('data') },
      { header: { name: 'plain', type: 'file', mode: 0o644 }, body: Buffer.from('p') },
    ]);
    const got = await entries(tar);
    expect(got.map((e) => [e.name, e.data])).toEqual([[long, 'data'], ['plain', 'p']]);
    expect(got[0]!.xattrs.get('security.capability')).toEqual(binary);
    expect(got[1]!.xattrs.size).toBe(0);
  });

  it.skipIf(!isRoot)('reads GNU tar --xattrs archives, and GNU tar reads ours', async () => {
    const src = path.join(tmp, 'src');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'f'), 'x');
    setXattr(path.join(src, 'f'), 'trusted.bin', binary);
    const gnu = execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-C', src, '-cf', '-', 'f']);
    const got = await entries(gnu);
    expect(got[0]!.xattrs.get('trusted.bin')).toEqual(binary);

    const ours = await tarBuffer([{ header: { name: 'g', type: 'file', mode: 0o600, xattrs: new Map([['trusted.bin', binary]]) }, body: Buffer.from('y') }]);
    const dst = path.join(tmp, 'dst');
    fs.mkdirSync(dst);
    execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-C', dst, '-xf', '-'], { input: ours });
    expect(fs.readFileSync(path.join(dst, 'g'), 'utf8')).toBe('y');
    expect(getXattr(path.join(dst, 'g'), 'trusted.bin')).toEqual(binary);
  });
});
