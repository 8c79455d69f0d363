/**
 * The classic builder's cache: a step's image is reused when an image was
 * built from the same parent image with the same instruction (moby keys it on
 * the parent image and ContainerConfig.Cmd; COPY/ADD name a checksum of the
 * copied content there). The containerd image store keeps no parent link, so
 * berthd keeps its own index, <data-root>/build/cache.json, written
 * atomically; an entry whose image is gone is treated as a miss.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

interface CacheFile {
  schemaVersion: 1;
  /** `${parentId}\n${JSON of the cache Cmd}` -> image ID. */
  entries: Record<string, string>;
}

export class BuildCache {
  private readonly file: string;
  private data: CacheFile;

  constructor(dataRoot: string) {
    const dir = path.join(dataRoot, 'build');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'cache.json');
    this.data = { schemaVersion: 1, entries: {} };
    try {
      const read = JSON.parse(fs.readFileSync(this.file, 'utf8')) as CacheFile;
      if (read.schemaVersion === 1 && typeof read.entries === 'object') this.data = read;
    } catch {
      // no index yet (or an unreadable one): an empty cache
    }
  }

  private static key(parent: string, cmd: string[]): string {
    return `${parent}\n${JSON.stringify(cmd)}`;
  }

  get(parent: string, cmd: string[]): string | undefined {
    return this.data.entries[BuildCache.key(parent, cmd)];
  }

  set(parent: string, cmd: string[], id: string): void {
    this.data.entries[BuildCache.key(parent, cmd)] = id;
    writeFileAtomic(this.file, JSON.stringify(this.data));
  }

  forget(parent: string, cmd: string[]): void {
    delete this.data.entries[BuildCache.key(parent, cmd)];
    writeFileAtomic(this.file, JSON.stringify(this.data));
  }
}

const caches = new Map<string, BuildCache>();

/** One index per data root, shared by concurrent builds of this berthd. */
export function buildCache(dataRoot: string): BuildCache {
  let c = caches.get(dataRoot);
  if (!c) {
    c = new BuildCache(dataRoot);
    caches.set(dataRoot, c);
  }
  return c;
}
