/**
 * The containers berthd knows: records in memory, each persisted as
 * <data-root>/containers/<id>/config.v2.json (written to a temp file, fsynced,
 * renamed: a crash never leaves half a record), a name index, and docker's
 * lookup rules (full ID, then exact name, then a unique ID prefix).
 */
import fs from 'node:fs';
import path from 'node:path';
import { conflict, invalidArgument, notFound } from '@berth/errors';
import type { Logger } from '@berth/containerd/log';
import { Container } from './container.js';
import type { ContainerRecord } from './model.js';
import { writeFileAtomic } from '../atomic-file.js';

export class ContainerStore {
  private readonly byId = new Map<string, Container>();
  private readonly byName = new Map<string, string>();

  constructor(
    readonly root: string,
    private readonly log: Logger,
  ) {
    fs.mkdirSync(root, { recursive: true, mode: 0o710 });
  }

  dirOf(id: string): string {
    return path.join(this.root, id);
  }

  /** Reads every record on disk (at start-up); unreadable ones are logged and skipped. */
  load(): Container[] {
    for (const id of fs.readdirSync(this.root)) {
      const file = path.join(this.root, id, 'config.v2.json');
      try {
        const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as ContainerRecord;
        if (rec.schemaVersion !== 1 || rec.id !== id) throw new Error(`unexpected record (schema ${String(rec.schemaVersion)})`);
        const c = new Container(rec);
        this.byId.set(id, c);
        this.byName.set(rec.name, id);
      } catch (err) {
        this.log.warn('skipping unreadable container record', { id, error: (err as Error).message });
      }
    }
    return [...this.byId.values()];
  }

  list(): Container[] {
    return [...this.byId.values()];
  }

  /** Takes `name` for `id`, or docker's 409 naming the holder. */
  reserveName(name: string, id: string): void {
    const holder = this.byName.get(name);
    if (holder !== undefined && holder !== id) {
      throw conflict(`Conflict. The container name "${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.byName.set(name, id);
  }

  releaseName(name: string, id: string): void {
    if (this.byName.get(name) === id) this.byName.delete(name);
  }

  hasName(name: string): boolean {
    return this.byName.has(name);
  }

  add(c: Container): void {
    this.byId.set(c.id, c);
    this.byName.set(c.record.name, c.id);
    this.save(c);
  }

  save(c: Container): void {
    const dir = this.dirOf(c.id);
    fs.mkdirSync(dir, { recursive: true, mode: 0o710 });
    writeFileAtomic(path.join(dir, 'config.v2.json'), JSON.stringify(c.record));
  }

  /** Forgets the container and deletes its directory (logs, hosts files, record). */
  delete(c: Container): void {
    this.byId.delete(c.id);
    this.releaseName(c.record.name, c.id);
    fs.rmSync(this.dirOf(c.id), { recursive: true, force: true });
  }

  /** docker's lookup: full ID, exact name, unique ID prefix. */
  get(ref: string): Container {
    const c = this.find(ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    return c;
  }

  find(ref: string): Container | undefined {
    if (ref === '') return undefined;
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const named = this.byName.get(ref.startsWith('/') ? ref : `/${ref}`);
    if (named !== undefined) return this.byId.get(named);
    if (!/^[a-f0-9]+$/.test(ref)) return undefined;
    const hits = [...this.byId.keys()].filter((id) => id.startsWith(ref));
    if (hits.length > 1) throw invalidArgument(`multiple IDs found with provided prefix: ${ref}`);
    return hits[0] === undefined ? undefined : this.byId.get(hits[0]);
  }
}
