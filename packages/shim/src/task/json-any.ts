/**
 * OCI structures inside google.protobuf.Any, the way containerd's typeurl packs
 * them: type URL "types.containerd.io/opencontainers/runtime-spec/1/<Type>",
 * value = the JSON encoding (Exec's spec, Update's resources).
 */
import type { Any } from '@bufbuild/protobuf/wkt';
import { invalidArgument } from '@berth/errors';

export const ociTypeUrl = (type: string): string => `types.containerd.io/opencontainers/runtime-spec/1/${type}`;

export function unpackJson<T extends object>(any: Any | undefined, type: string): T {
  if (any === undefined) throw invalidArgument(`${type} is required`);
  if (any.typeUrl !== ociTypeUrl(type) && !any.typeUrl.endsWith(`/${type}`)) {
    throw invalidArgument(`expected ${ociTypeUrl(type)}, got ${JSON.stringify(any.typeUrl)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(any.value).toString('utf8'));
  } catch (err) {
    throw invalidArgument(`${type}: invalid JSON`, err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgument(`${type}: must be a JSON object`);
  return value as T;
}
