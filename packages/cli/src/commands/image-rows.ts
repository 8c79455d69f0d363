/**
 * docker's image list rows (cli/command/formatter/image.go): one row per
 * repository:tag of each image, `<none>` for dangling ones, and the fields a
 * `--format` template sees (ID, Repository, Tag, Digest, CreatedSince, ...).
 */
import { goTimeString, humanDuration, humanSize } from '../units.js';

export interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: number;
  Size: number;
  SharedSize?: number;
  Containers?: number;
}

export const imageHeaders: Record<string, string> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'VIRTUAL SIZE',
};

const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);
const splitAt = (ref: string, sep: string): [string, string] => {
  const i = sep === ':' ? (ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref.lastIndexOf(':') : -1) : ref.indexOf('@');
  return i < 0 ? [ref, ''] : [ref.slice(0, i), ref.slice(i + 1)];
};

function row(img: ImageSummary, repo: string, tag: string, digest: string, noTrunc: boolean, now: number): Record<string, unknown> {
  const na = (n: number | undefined) => (n === undefined || n < 0 ? 'N/A' : humanSize(n));
  return {
    Containers: img.Containers === undefined || img.Containers < 0 ? 'N/A' : String(img.Containers),
    CreatedAt: goTimeString(img.Created),
    CreatedSince: `${humanDuration(now - img.Created * 1000)} ago`,
    Digest: digest,
    ID: noTrunc ? img.Id : shortId(img.Id),
    Repository: repo,
    SharedSize: na(img.SharedSize),
    Size: humanSize(img.Size),
    Tag: tag,
    UniqueSize: img.SharedSize === undefined || img.SharedSize < 0 ? 'N/A' : humanSize(img.Size - img.SharedSize),
    // docker formats VirtualSize with 4 significant digits (units.HumanSizeWithPrecision(size, 4))
    VirtualSize: humanSize(img.Size, 4),
  };
}

export function imageRows(images: ImageSummary[], o: { noTrunc: boolean; digests: boolean }, now = Date.now()): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const img of images) {
    const tags = img.RepoTags ?? [];
    const digs = img.RepoDigests ?? [];
    if (!tags.length && !digs.length) {
      out.push(row(img, '<none>', '<none>', '<none>', o.noTrunc, now));
      continue;
    }
    const byRepoTag = new Map<string, string[]>();
    for (const t of tags) {
      const [repo, tag] = splitAt(t, ':');
      if (tag) byRepoTag.set(repo, [...(byRepoTag.get(repo) ?? []), tag]);
    }
    const byRepoDigest = new Map<string, string[]>();
    for (const d of digs) {
      const [repo, dg] = splitAt(d, '@');
      if (dg) byRepoDigest.set(repo, [...(byRepoDigest.get(repo) ?? []), dg]);
    }
    for (const repo of [...byRepoTag.keys()].sort()) {
      const digests = o.digests ? (byRepoDigest.get(repo) ?? []) : [];
      byRepoDigest.delete(repo);
      for (const tag of byRepoTag.get(repo) ?? []) {
        if (!digests.length) out.push(row(img, repo, tag, '<none>', o.noTrunc, now));
        for (const d of digests) out.push(row(img, repo, tag, d, o.noTrunc, now));
      }
    }
    for (const [repo, digests] of [...byRepoDigest.entries()].sort()) {
      if (o.digests) for (const d of digests) out.push(row(img, repo, '<none>', d, o.noTrunc, now));
      else out.push(row(img, repo, '<none>', '', o.noTrunc, now));
    }
  }
  return out;
}
