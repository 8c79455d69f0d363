/**
 * containerd's fmt.Errorf("context: %w", err): the message gains a prefix, the
 * kind stays. Anything that is not a BerthError becomes Internal.
 */
import { BerthError, internal, isBerthError } from '@berth/errors';

export function rewrap(err: unknown, context: string): BerthError {
  if (isBerthError(err)) return new BerthError(err.code, `${context}: ${err.message}`, { cause: err });
  return internal(`${context}: ${err instanceof Error ? err.message : String(err)}`, err);
}
