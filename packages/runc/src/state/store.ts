/**
 * The runtime's state directory: <root>/<id>/ holds state.json (written to a
 * temp file and renamed, so a reader never sees half of it) and, between
 * `create` and `start`, the exec fifo the container's init blocks on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { alreadyExists, internal, invalidArgument, notFound } from '@berth/errors';
import type { Spec } from '../spec/types.js';

export const STATE_VERSION = 1;
export const DEFAULT_ROOT = '/run/berth/runc';

export interface ContainerRecord {
  version: number;
  id: string;
  bundle: string;
  rootfs: string;
  /** Host pid of the container's init; 0 while it is being created. */
  initPid: number;
  /** Start time of init in clock ticks (/proc/<pid>/stat field 22): tells pid reuse apart. */
  initStartTime: string;
  /** RFC 3339 with nanoseconds, as runc prints it. */
  created: string;
  owner: string;
  cgroupPaths: Record<string, string>;
  /** The config.json the container was created from (hooks, namespaces, resources). */
  config: Spec;
  /** Set once `create` has finished: absent means the container is still being created. */
  createdDone: boolean;
}

const ID_PATTERN = /^[\w+\-.]+$/;

export function validateId(id: string): void {
  if (!ID_PATTERN.test(id) || id === '.' || id === '..') throw invalidArgument(`invalid id format: ${id}`);
}

export class StateStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    validateId(id);
    return path.join(this.root, id);
  }

  fifoPath(id: string): string {
    return path.join(this.dir(id), 'exec.fifo');
  }

  /** Claims the id: creates its directory, failing if it exists. */
  claim(id: string): string {
    const dir = this.dir(id);
    fs.mkdirSync(this.root, { recursive: true, mode: 0o711 });
    try {
      fs.mkdirSync(dir, { mode: 0o711 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyExists('container with given ID already exists');
      throw err;
    }
    return dir;
  }

  write(record: ContainerRecord): void {
    const file = path.join(this.dir(record.id), 'state.json');
    const tmp = `${file}.tmp.${process.pid}`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(record));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  }

  read(id: string): ContainerRecord {
    const dir = this.dir(id);
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, 'state.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('container does not exist');
      throw err;
    }
    try {
      return JSON.parse(text) as ContainerRecord;
    } catch (err) {
      throw internal(`state of container ${id} is corrupt: ${(err as Error).message}`);
    }
  }

  exists(id: string): boolean {
    return fs.existsSync(path.join(this.dir(id), 'state.json'));
  }

  /** Ids of every container directory, sorted as runc lists them (directory order). */
  list(): string[] {
    try {
      return fs
        .readdirSync(this.root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && ID_PATTERN.test(d.name))
        .map((d) => d.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  remove(id: string): void {
    fs.rmSync(this.dir(id), { recursive: true, force: true });
  }
}
