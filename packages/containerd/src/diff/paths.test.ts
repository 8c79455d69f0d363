import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { detectFormat } from './decompress.js';
import { diffCompression, diffOutputCompression } from './media.js';
import { encodePaxRecords, paxXattrs } from './pax.js';
import { cleanEntryName, entryPath, secureJoin } from './paths.js';

describe('entry names and resolution', () => {
  it('cleans names and refuses those that climb out', () => {
    expect(cleanEntryName('./a//b/./c/')).toBe('a/b/c');
    expect(cleanEntryName('/etc/passwd')).toBe('etc/passwd');
    expect(cleanEntryName('a/../b')).toBe('b');
    expect(cleanEntryName('./')).toBe('');
    for (const bad of ['..', '../x', 'a/../../x', '/../x']) {
      let err: unknown;
      try {
        cleanEntryName(bad);
      } catch (e) {
        err = e;
      }
      expect(isBerthError(err, 'InvalidArgument'), bad).toBe(true);
    }
  });

  it('resolves symlinks inside the root, never above it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-paths-'));
    try {
      fs.symlinkSync('/etc', path.join(root, 'abs'));
      fs.symlinkSync('../../../../..', path.join(root, 'up'));
      fs.symlinkSync('loop2', path.join(root, 'loop1'));
      fs.symlinkSync('loop1', path.join(root, 'loop2'));
      expect(secureJoin(root, 'abs/passwd')).toBe(path.join(root, 'etc/passwd'));
      expect(secureJoin(root, 'up/tmp')).toBe(path.join(root, 'tmp'));
      expect(() => secureJoin(root, 'loop1/x')).toThrow(/too many levels of symbolic links/);
      // the last component is not followed
      expect(entryPath(root, 'abs')).toEqual({ parent: root, base: 'abs', full: path.join(root, 'abs') });
      expect(entryPath(root, 'abs/shadow').full).toBe(path.join(root, 'etc/shadow'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('media types, magic bytes, PAX records', () => {
  it('knows layer media types and their compression', () => {
    expect(diffCompression('application/vnd.oci.image.layer.v1.tar+gzip')).toBe('gzip');
    expect(diffCompression('application/vnd.oci.image.layer.v1.tar+zstd')).toBe('zstd');
    expect(diffCompression('application/vnd.oci.image.layer.v1.tar')).toBe('none');
    expect(diffCompression('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('gzip');
    expect(diffCompression('application/vnd.docker.image.rootfs.diff.tar')).toBe('unknown');
    expect(() => diffCompression('application/json')).toThrow('failed to get stream processor for application/json: no processor for media-type');
    expect(diffOutputCompression('')).toBe('gzip');
    expect(() => diffOutputCompression('application/vnd.oci.image.layer.v1.tar+zstd')).toThrow(/unsupported diff media type/);
  });

  it('detects compression by magic bytes', () => {
    expect(detectFormat(Buffer.from([0x1f, 0x8b, 0x08, 0]))).toBe('gzip');
    expect(detectFormat(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(detectFormat(Buffer.from('etc/'))).toBe('none');
    expect(() => detectFormat(Buffer.from('BZh91AY'))).toThrow('unsupported compression format bzip2');
  });

  it('round-trips binary xattr values through PAX records', () => {
    const value = Buffer.from([0, 1, 0x0a, 0x3d, 0xff, 0x20]);
    const records = encodePaxRecords([
      ['path', Buffer.from('a'.repeat(200))],
      ['SCHILY.xattr.security.capability', value],
    ]);
    expect(paxXattrs(records)).toEqual(new Map([['security.capability', value]]));
    // every record's length prefix counts itself
    expect(records.toString('latin1').startsWith('210 path=')).toBe(true);
  });
});
