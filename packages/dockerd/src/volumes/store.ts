/**
 * The local volume driver's volumes: <data-root>/volumes/<name>/_data (docker's
 * layout) holds the data; <data-root>/volumes/<name>/berth-volume.json the
 * metadata (driver options, labels, creation time), written to a temp file,
 * fsynced and renamed, so a crash never leaves half of it. A directory with
 * _data but no metadata (copied in by hand) is still a volume, as with the
 * local driver.
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument, notFound } from '@berth/errors';
import type { Logger } from '@berth/containerd/log';
import { anonymousLabel, anonymousVolumeName, checkVolumeName } from './names.js';
import { writeFileAtomic } from '../atomic-file.js';

export interface Volume {
  name: string;
  driver: 'local';
  labels: Record<string, string> | null;
  /** The local driver's options (type, device, o): a mount instead of a plain directory. */
  options: Record<string, string> | null;
  createdAt: string;
}

const metaFile = 'berth-volume.json';
const localOptions = new Set(['type', 'device', 'o', 'size']);

/** moby's local driver option rules: known keys, device and type together, o only with both. */
function checkOptions(name: string, opts: Record<string, string>): void {
  for (const k of Object.keys(opts)) if (!localOptions.has(k)) throw invalidArgument(`create ${name}: invalid option: "${k}"`);
  if (opts.size !== undefined) throw invalidArgument(`create ${name}: quota size requested but no quota support`);
  const has = (k: string) => opts[k] !== undefined;
  if (has('device') && !has('type')) throw invalidArgument(`create ${name}: missing required option: "type"`);
  if (has('type') && !has('device')) throw invalidArgument(`create ${name}: missing required option: "device"`);
  if (has('o') && (!has('type') || !has('device'))) throw invalidArgument(`create ${name}: missing required option: "${has('type') ? 'device' : 'type'}"`);
}

/** Go's time.RFC3339 of the local time, as docker prints CreatedAt. */
function rfc3339(d: Date): string {
  const off = -d.getTimezoneOffset();
  const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  return off === 0 ? `${local}Z` : `${local}${off > 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`;
}

export class VolumeStore {
  private readonly volumes = new Map<string, Volume>();
  /** Volumes a container being created has taken before its record exists: not removable meanwhile. */
  private readonly claims = new Map<string, string[]>();

  constructor(
    readonly root: string,
    private readonly log: Logger,
  ) {
    fs.mkdirSync(root, { recursive: true, mode: 0o701 });
    this.load();
  }

  private load(): void {
    for (const name of fs.readdirSync(this.root)) {
      const dir = path.join(this.root, name);
      // a removal that a crash interrupted: finish it
      if (name.startsWith('.removing-')) {
        fs.rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (!fs.existsSync(path.join(dir, '_data'))) continue;
      try {
        const file = path.join(dir, metaFile);
        const v = fs.existsSync(file)
          ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Volume)
          : { name, driver: 'local' as const, labels: null, options: null, createdAt: rfc3339(fs.statSync(dir).mtime) };
        if (v.name !== name) throw new Error(`metadata names ${v.name}`);
        this.volumes.set(name, v);
      } catch (err) {
        this.log.warn('skipping unreadable volume', { name, error: (err as Error).message });
      }
    }
  }

  dataPath(name: string): string {
    return path.join(this.root, name, '_data');
  }

  list(): Volume[] {
    return [...this.volumes.values()];
  }

  find(name: string): Volume | undefined {
    return this.volumes.get(name);
  }

  get(name: string): Volume {
    const v = this.volumes.get(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  /** An existing volume of that name is returned as it is (docker's create is idempotent). */
  create(name: string, options: Record<string, string> | null, labels: Record<string, string> | null): { volume: Volume; created: boolean } {
    let labelsOut = labels;
    if (name === '') {
      name = anonymousVolumeName();
      labelsOut = { ...(labels ?? {}), [anonymousLabel]: labels?.[anonymousLabel] ?? '' };
    }
    checkVolumeName(name);
    const existing = this.volumes.get(name);
    if (existing) return { volume: existing, created: false };
    const opts = options && Object.keys(options).length > 0 ? options : null;
    if (opts) checkOptions(name, opts);
    const v: Volume = { name, driver: 'local', labels: labelsOut, options: opts, createdAt: rfc3339(new Date()) };
    const dir = path.join(this.root, name);
    fs.mkdirSync(path.join(dir, '_data'), { recursive: true, mode: 0o755 });
    fs.chmodSync(path.join(dir, '_data'), 0o755);
    writeFileAtomic(path.join(dir, metaFile), JSON.stringify(v));
    this.volumes.set(name, v);
    return { volume: v, created: true };
  }

  /** Forgets the volume and deletes its data: renamed out of the way first, so a crash midway leaves no half volume. */
  remove(name: string): void {
    this.get(name);
    const dir = path.join(this.root, name);
    const doomed = path.join(this.root, `.removing-${name}-${anonymousVolumeName().slice(0, 8)}`);
    fs.renameSync(dir, doomed);
    this.volumes.delete(name);
    fs.rmSync(doomed, { recursive: true, force: true });
  }

  claim(containerId: string, names: string[]): void {
    this.claims.set(containerId, names);
  }

  release(containerId: string): void {
    this.claims.delete(containerId);
  }

  claimants(name: string): string[] {
    return [...this.claims].filter(([, names]) => names.includes(name)).map(([id]) => id);
  }

  isAnonymous(v: Volume): boolean {
    return v.labels?.[anonymousLabel] !== undefined;
  }
}
