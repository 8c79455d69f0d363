/**
 * What the diff service needs of the content store: read a blob (Apply) and
 * write one (Diff). `storeContent` adapts the daemon's namespaced
 * ContentStore; `directoryContent` is a plain blobs/sha256/<hex> directory
 * for unit tests and tools (no namespaces, no metadata).
 */
import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isBerthError, notFound } from '@berth/errors';
import type { ContentStore } from '../content/store.js';

export interface BlobReader {
  size: number;
  stream: Readable;
}

export interface ContentAccess {
  /** NotFound "content digest <digest>" when the namespace cannot see it. */
  read(ns: string, digest: string): Promise<BlobReader>;
  /** Stores `data` as a blob with `labels`; an existing blob is fine. */
  write(
    ns: string,
    ref: string,
    data: AsyncIterable<Uint8Array>,
    labels: Record<string, string>,
    lease?: string,
  ): Promise<{ digest: string; size: number }>;
}

export function storeContent(store: ContentStore): ContentAccess {
  return {
    async read(ns, digest) {
      const { info, file } = await store.open(ns, digest);
      return { size: info.size, stream: file.createReadStream({ autoClose: true }) };
    },
    async write(ns, ref, data, labels, lease) {
      const w = await store.writer(ns, { ref, total: 0, expected: '' }, lease);
      let size = 0;
      try {
        for await (const chunk of data) {
          await w.write(chunk);
          size += chunk.length;
        }
        await w.commit(size, '', labels);
      } catch (err) {
        await w.close().catch(() => undefined);
        if (!isBerthError(err, 'AlreadyExists')) throw err;
      }
      return { digest: w.digest(), size };
    },
  };
}

export function directoryContent(root: string): ContentAccess {
  const blobPath = (digest: string) => path.join(root, 'blobs', ...digest.split(':'));
  return {
    async read(_ns, digest) {
      const st = await fs.stat(blobPath(digest)).catch(() => undefined);
      if (st === undefined) throw notFound(`content digest ${digest}`);
      return { size: st.size, stream: createReadStream(blobPath(digest)) };
    },
    async write(_ns, ref, data) {
      const dir = path.join(root, 'ingest');
      await fs.mkdir(dir, { recursive: true });
      const tmp = path.join(dir, crypto.createHash('sha256').update(ref).digest('hex'));
      const fh = await fs.open(tmp, 'w');
      const hash = crypto.createHash('sha256');
      let size = 0;
      try {
        for await (const chunk of data) {
          hash.update(chunk);
          size += chunk.length;
          await fh.write(chunk);
        }
      } finally {
        await fh.close();
      }
      const digest = `sha256:${hash.digest('hex')}`;
      await fs.mkdir(path.dirname(blobPath(digest)), { recursive: true });
      await fs.rename(tmp, blobPath(digest));
      return { digest, size };
    },
  };
}
