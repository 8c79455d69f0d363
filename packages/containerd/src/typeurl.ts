/**
 * google.protobuf.Any the way containerd writes it: the type URL is the bare
 * message name ("containerd.events.TaskExit", "containerd.runc.v1.Options"),
 * without the "type.googleapis.com/" prefix (gogo's proto.MessageName, used by
 * containerd's typeurl package). Unpacking accepts both forms.
 */
import { create, toBinary, type DescMessage, type MessageInitShape, type MessageShape, type Registry, type Message } from '@bufbuild/protobuf';
import { AnySchema, anyUnpack, type Any } from '@bufbuild/protobuf/wkt';
import { invalidArgument } from '@berth/errors';

export function packAny<Desc extends DescMessage>(schema: Desc, message: MessageInitShape<Desc>): Any {
  return create(AnySchema, { typeUrl: schema.typeName, value: toBinary(schema, create(schema, message)) });
}

/** Unpacks an Any of the given type; InvalidArgument if it holds another type or bad bytes. */
export function unpackAs<Desc extends DescMessage>(any: Any, schema: Desc): MessageShape<Desc> {
  let out: MessageShape<Desc> | undefined;
  try {
    out = anyUnpack(any, schema);
  } catch (err) {
    throw invalidArgument(`cannot decode ${any.typeUrl}`, err);
  }
  if (out === undefined) throw invalidArgument(`expected ${schema.typeName}, got ${JSON.stringify(any.typeUrl)}`);
  return out;
}

/** Unpacks an Any whose type is in the registry, or undefined if it is not known. */
export function unpackAny(any: Any, registry: Registry): Message | undefined {
  try {
    return anyUnpack(any, registry);
  } catch (err) {
    throw invalidArgument(`cannot decode ${any.typeUrl}`, err);
  }
}
