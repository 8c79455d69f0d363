/**
 * The metadata database: one `level` (LevelDB) store under
 * <root>/io.containerd.metadata.v1.level. Reads run on a consistent snapshot;
 * updates run one at a time (like bolt's single writer) and commit as one
 * atomic batch, so a crash never leaves half an operation behind.
 *
 * Key layout (see keys.ts):
 *   meta/schema                 {schema}                       database schema version
 *   v1/namespaces/<ns>          {schema, labels}               one record per namespace
 *   v1/ns/<ns>/<kind>/<id>      {schema, ...}                  objects inside a namespace
 * Every value is JSON with a `schema` number; a reader refuses records newer
 * than it understands instead of misreading them.
 */
import fs from 'node:fs/promises';
import { Level } from 'level';
import { failedPrecondition, internal } from '@berth/errors';
import { schemaKey } from './keys.js';

export const schemaVersion = 1;

export interface StoredRecord {
  schema: number;
}

export interface ReadTx {
  get<T extends StoredRecord>(key: string): Promise<T | undefined>;
  /** Keys and values under a prefix (which should end in '/'), in key order. */
  entries<T extends StoredRecord>(prefix: string): Promise<Array<[string, T]>>;
  /** Keys under a prefix, in key order. */
  keys(prefix: string): Promise<string[]>;
}

export interface WriteTx extends ReadTx {
  put(key: string, value: StoredRecord): void;
  del(key: string): void;
}

type Db = Level<string, StoredRecord>;

/** Upper bound for keys under `prefix` (a prefix ending in '/'): '/' + 1 is '0'. */
const prefixEnd = (prefix: string) => `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;

export function checkSchema<T extends StoredRecord>(key: string, value: T): T {
  if (typeof value?.schema !== 'number') throw internal(`metadata record ${key} has no schema version`);
  if (value.schema > schemaVersion) {
    throw failedPrecondition(`metadata record ${key} has schema ${value.schema}, newer than supported (${schemaVersion})`);
  }
  return value;
}

class Snapshot implements ReadTx {
  constructor(
    protected readonly db: Db,
    protected readonly options: { snapshot?: ReturnType<Db['snapshot']> },
  ) {}

  async get<T extends StoredRecord>(key: string): Promise<T | undefined> {
    const v = await this.db.get(key, this.options);
    return v === undefined ? undefined : checkSchema(key, v as T);
  }

  async entries<T extends StoredRecord>(prefix: string): Promise<Array<[string, T]>> {
    const out: Array<[string, T]> = [];
    for await (const [k, v] of this.db.iterator({ ...this.options, gte: prefix, lt: prefixEnd(prefix) })) {
      out.push([k, checkSchema(k, v as T)]);
    }
    return out;
  }

  async keys(prefix: string): Promise<string[]> {
    return this.db.keys({ ...this.options, gte: prefix, lt: prefixEnd(prefix) }).all();
  }
}

/** Reads see the committed state plus this transaction's own pending writes. */
class Batch extends Snapshot implements WriteTx {
  readonly pending = new Map<string, StoredRecord | null>();

  override async get<T extends StoredRecord>(key: string): Promise<T | undefined> {
    if (this.pending.has(key)) return (this.pending.get(key) as T | null) ?? undefined;
    return super.get<T>(key);
  }

  override async entries<T extends StoredRecord>(prefix: string): Promise<Array<[string, T]>> {
    const merged = new Map(await super.entries<T>(prefix));
    for (const [k, v] of this.pending) {
      if (!k.startsWith(prefix)) continue;
      if (v === null) merged.delete(k);
      else merged.set(k, v as T);
    }
    return [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  override async keys(prefix: string): Promise<string[]> {
    const merged = new Set(await super.keys(prefix));
    for (const [k, v] of this.pending) {
      if (!k.startsWith(prefix)) continue;
      if (v === null) merged.delete(k);
      else merged.add(k);
    }
    return [...merged].sort();
  }

  put(key: string, value: StoredRecord): void {
    this.pending.set(key, value);
  }

  del(key: string): void {
    this.pending.set(key, null);
  }
}

export class MetadataDB {
  private writer: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: Db,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<MetadataDB> {
    await fs.mkdir(path, { recursive: true, mode: 0o700 });
    const db: Db = new Level<string, StoredRecord>(path, { valueEncoding: 'json' });
    try {
      await db.open();
    } catch (err) {
      throw internal(`cannot open metadata database ${path}`, err);
    }
    const mdb = new MetadataDB(db, path);
    try {
      await mdb.update(async (tx) => {
        if ((await tx.get(schemaKey)) === undefined) tx.put(schemaKey, { schema: schemaVersion });
      });
    } catch (err) {
      await db.close();
      throw err;
    }
    return mdb;
  }

  async view<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    const snapshot = this.db.snapshot();
    try {
      return await fn(new Snapshot(this.db, { snapshot }));
    } finally {
      await snapshot.close();
    }
  }

  /** Runs `fn` alone among updates; its writes commit atomically if it returns. */
  update<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    const run = async () => {
      const tx = new Batch(this.db, {});
      const result = await fn(tx);
      if (tx.pending.size > 0) {
        await this.db.batch(
          [...tx.pending].map(([key, value]) =>
            value === null ? { type: 'del' as const, key } : { type: 'put' as const, key, value },
          ),
        );
      }
      return result;
    };
    const next = this.writer.then(run, run);
    this.writer = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.writer;
    await this.db.close();
  }
}
