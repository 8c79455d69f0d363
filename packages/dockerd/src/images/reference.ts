/**
 * Docker's image references: `busybox` -> docker.io/library/busybox:latest,
 * and back to the familiar form the API shows (busybox:latest).
 */
import { invalidArgument } from '@berth/errors';

export interface Reference {
  /** docker.io/library/busybox */
  repository: string;
  tag?: string;
  digest?: string;
}

const nameRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const tagRe = /^[\w][\w.-]{0,127}$/;

export function isValidTag(tag: string): boolean {
  return tagRe.test(tag);
}

/** Parses and normalizes; a missing tag (and digest) stays missing. */
export function parseReference(ref: string): Reference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) { digest = rest.slice(at + 1); rest = rest.slice(0, at); }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let repository = hasDomain ? rest : `docker.io/${parts.length === 1 ? `library/${rest}` : rest}`;
  if (repository.startsWith('index.docker.io/')) repository = `docker.io/${repository.slice('index.docker.io/'.length)}`;
  const path = repository.slice(repository.indexOf('/') + 1);
  if (!nameRe.test(path) || (tag !== undefined && !isValidTag(tag)) || rest !== rest.toLowerCase()) {
    throw invalidArgument(`invalid reference format: ${ref}`);
  }
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** The full containerd image name, with `latest` when no tag or digest is given. */
export function normalizeName(ref: string): string {
  const r = parseReference(ref);
  if (r.digest) return `${r.repository}${r.tag ? `:${r.tag}` : ''}@${r.digest}`;
  return `${r.repository}:${r.tag ?? 'latest'}`;
}

/** docker.io/library/busybox -> busybox; docker.io/foo/bar -> foo/bar. */
export function familiarRepository(repository: string): string {
  if (repository.startsWith('docker.io/library/') && !repository.slice(18).includes('/')) return repository.slice(18);
  if (repository.startsWith('docker.io/')) return repository.slice(10);
  return repository;
}

/** A containerd image name in the familiar form (busybox:latest), and its repository. */
export function familiarName(name: string): string {
  const r = parseReference(name);
  const repo = familiarRepository(r.repository);
  return r.digest ? `${repo}@${r.digest}` : `${repo}:${r.tag ?? 'latest'}`;
}
