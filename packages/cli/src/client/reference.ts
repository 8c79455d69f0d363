/**
 * Splitting an image reference the way docker's client does for `tag`:
 * name[:tag] with the tag after the last '/', "latest" when there is none.
 */
import { ExitError } from '../errors.js';

const valid = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;

export function splitTag(ref: string): { repo: string; tag: string } {
  if (ref.includes('@') || !valid.test(ref)) {
    throw new ExitError(`Error parsing reference: "${ref}" is not a valid repository/tag: invalid reference format`, 1);
  }
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}
