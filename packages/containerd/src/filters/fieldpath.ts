/**
 * Field lookup on a protobuf message for filters, with the rules of containerd's
 * generated Field() methods (protobuf/plugin/fieldpath): strings are present
 * when non-empty, bools always; `labels.<key>` looks a label up (the key is the
 * rest of the path joined by '.', since label keys contain dots); an Any is
 * unpacked through the registry and looked into; other messages are recursed
 * into (Timestamps are not); lists, numbers and enums are not addressable.
 */
import { ScalarType, type DescMessage, type Message, type Registry } from '@bufbuild/protobuf';
import { anyUnpack, type Any } from '@bufbuild/protobuf/wkt';
import type { FieldLookup } from './filter.js';

export function messageLookup(schema: DescMessage, message: Message, registry?: Registry): FieldLookup {
  return (path) => lookup(schema, message, path, registry);
}

function lookup(schema: DescMessage, message: Message, path: readonly string[], registry?: Registry): string | undefined {
  const [name, ...rest] = path;
  const field = schema.fields.find((f) => f.name === name);
  if (field === undefined) return undefined;
  const value: unknown = (message as unknown as Record<string, unknown>)[field.localName];
  switch (field.fieldKind) {
    case 'scalar':
      if (field.scalar === ScalarType.STRING) return typeof value === 'string' && value !== '' ? value : undefined;
      if (field.scalar === ScalarType.BOOL) return String(value === true);
      return undefined;
    case 'map': {
      if (field.name !== 'labels' || field.mapKind !== 'scalar') return undefined;
      const labels = value as Record<string, string>;
      const key = rest.join('.');
      return Object.hasOwn(labels, key) ? labels[key] : undefined;
    }
    case 'message': {
      if (value === undefined) return undefined;
      if (field.message.typeName === 'google.protobuf.Timestamp') return undefined;
      if (field.message.typeName === 'google.protobuf.Any') {
        if (registry === undefined) return undefined;
        const inner = safeUnpack(value as Any, registry);
        if (inner === undefined) return undefined;
        const innerSchema = registry.getMessage(inner.$typeName);
        return innerSchema === undefined ? undefined : lookup(innerSchema, inner, rest, registry);
      }
      return lookup(field.message, value as Message, rest, registry);
    }
    default:
      return undefined;
  }
}

function safeUnpack(any: Any, registry: Registry): Message | undefined {
  try {
    return anyUnpack(any, registry);
  } catch {
    return undefined;
  }
}
