/**
 * containerd's identifier rules (identifiers/validate.go): namespaces, container
 * ids, lease ids... are safe as one path component. Alphanumeric runs joined by
 * single '.', '_' or '-', at most 76 characters. Messages match containerd's, so
 * clients that print them print the same thing.
 */
import { invalidArgument } from '@berth/errors';

export const maxIdentifierLength = 76;
const identifierSource = '^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$';
const identifierRe = new RegExp(identifierSource);

export function validateIdentifier(s: string): void {
  if (s.length === 0) throw invalidArgument('identifier must not be empty');
  if (s.length > maxIdentifierLength) {
    throw invalidArgument(`identifier ${goQuote(s)} greater than maximum length (${maxIdentifierLength} characters)`);
  }
  if (!identifierRe.test(s)) throw invalidArgument(`identifier ${goQuote(s)} must match ${identifierSource}`);
}

/** Label keys and values together are limited to 4096 bytes (labels/validate.go). */
export const maxLabelSize = 4096;

export function validateLabels(labels: Record<string, string>, what: string): void {
  for (const [k, v] of Object.entries(labels)) {
    if (Buffer.byteLength(k) + Buffer.byteLength(v) > maxLabelSize) {
      throw invalidArgument(
        `${what}: label key and value greater than maximum size (${maxLabelSize} bytes), key: ${k.slice(0, 10)}`,
      );
    }
  }
}

/** Go's %q for the ASCII cases that matter in messages. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
