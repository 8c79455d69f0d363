/**
 * Digests the way go-digest validates them (digest.Parse / Validate), with
 * its error strings, so clients print what they print against containerd.
 * The store only ever computes sha256 (digest.Canonical), but sha384/sha512
 * digests are well-formed and simply not found.
 */
import crypto from 'node:crypto';
import { invalidArgument } from '@berth/errors';

export const canonicalAlgorithm = 'sha256';

/** Length of the hex part per available algorithm. */
const hexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const anchoredDigest = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const lowerHex = /^[a-f0-9]+$/;

export const digestErrors = {
  format: 'invalid checksum digest format',
  length: 'invalid checksum digest length',
  unsupported: 'unsupported digest algorithm',
} as const;

/** go-digest's Digest.Validate: undefined when valid, else its error string. */
export function digestProblem(d: string): string | undefined {
  const i = d.indexOf(':');
  if (i <= 0 || i + 1 === d.length) return digestErrors.format;
  const algorithm = d.slice(0, i);
  const encoded = d.slice(i + 1);
  const want = hexLength[algorithm];
  if (want === undefined) return anchoredDigest.test(d) ? digestErrors.unsupported : digestErrors.format;
  if (encoded.length !== want) return digestErrors.length;
  return lowerHex.test(encoded) ? undefined : digestErrors.format;
}

export function isDigest(d: string): boolean {
  return digestProblem(d) === undefined;
}

/** Throws InvalidArgument with go-digest's message (plus `context: ` when given). */
export function validateDigest(d: string, context?: string): string {
  const problem = digestProblem(d);
  if (problem !== undefined) throw invalidArgument(context === undefined ? problem : `${context}: ${problem}`);
  return d;
}

export function splitDigest(d: string): { algorithm: string; hex: string } {
  const i = d.indexOf(':');
  return { algorithm: d.slice(0, i), hex: d.slice(i + 1) };
}

export function sha256Of(data: string | Uint8Array): string {
  return `${canonicalAlgorithm}:${crypto.createHash(canonicalAlgorithm).update(data).digest('hex')}`;
}
