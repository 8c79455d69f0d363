/**
 * A grpc-js service definition from a protoc-gen-es service descriptor: paths
 * "/<package>.<Service>/<Method>" and binary (de)serialisation of the messages.
 */
import { create, fromBinary, toBinary, type DescMessage, type DescMethod, type DescService, type Message } from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

export const methodPath = (method: DescMethod): string => `/${method.parent.typeName}/${method.name}`;

export const isRequestStream = (m: DescMethod) => m.methodKind === 'client_streaming' || m.methodKind === 'bidi_streaming';
export const isResponseStream = (m: DescMethod) => m.methodKind === 'server_streaming' || m.methodKind === 'bidi_streaming';

function serializer(schema: DescMessage): (message: Message) => Buffer {
  return (message) => {
    const bytes = toBinary(schema, message.$typeName === schema.typeName ? message : create(schema, message));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

const deserializer =
  (schema: DescMessage) =>
  (bytes: Buffer): Message =>
    fromBinary(schema, bytes);

export function methodDefinition(method: DescMethod): MethodDefinition<Message, Message> {
  return {
    path: methodPath(method),
    originalName: method.localName,
    requestStream: isRequestStream(method),
    responseStream: isResponseStream(method),
    requestSerialize: serializer(method.input),
    requestDeserialize: deserializer(method.input),
    responseSerialize: serializer(method.output),
    responseDeserialize: deserializer(method.output),
  };
}

/** Keyed by the proto method name ("Create"). */
export function serviceDefinition(service: DescService): ServiceDefinition {
  const def: Record<string, MethodDefinition<Message, Message>> = {};
  for (const method of service.methods) def[method.name] = methodDefinition(method);
  return def;
}
