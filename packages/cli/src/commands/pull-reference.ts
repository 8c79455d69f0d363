/**
 * Reference parsing as docker's client does it before a pull: normalise
 * (busybox -> docker.io/library/busybox), add `latest` when neither a tag
 * nor a digest is given, and split into what POST /images/create takes
 * (fromImage = the full name, tag = the tag or the digest).
 */
import { ExitError } from '../errors.js';

export interface PullRef {
  /** docker.io/library/busybox */
  name: string;
  tag?: string;
  digest?: string;
  /** true when the tag was added */
  defaulted: boolean;
}

const pathRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^sha256:[a-f0-9]{64}$/;

export function parsePullRef(ref: string): PullRef {
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
  const domain = hasDomain ? first : 'docker.io';
  let path = hasDomain ? parts.slice(1).join('/') : rest;
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (path !== path.toLowerCase() && pathRe.test(path.toLowerCase())) {
    throw new ExitError(`invalid reference format: repository name (${path}) must be lowercase`, 1);
  }
  if (!pathRe.test(path) || (tag !== undefined && !tagRe.test(tag)) || (digest !== undefined && !digestRe.test(digest))) {
    throw new ExitError('invalid reference format', 1);
  }
  const defaulted = tag === undefined && digest === undefined;
  return { name: `${domain}/${path}`, ...(defaulted ? { tag: 'latest' } : tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}), defaulted };
}

/** reference.String(): docker.io/library/busybox:latest, name@sha256:... */
export const fullRef = (r: PullRef): string => `${r.name}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
