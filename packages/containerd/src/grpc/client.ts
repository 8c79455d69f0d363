/**
 * Typed clients for generated service descriptors over grpc-js, used by berthd,
 * the shim and the tests. Errors come back as BerthErrors (errors.ts); the
 * namespace goes in "containerd-namespace" like the containerd client sends it.
 */
import { once } from 'node:events';
import { create, type DescMethod, type Message } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import * as grpc from '@grpc/grpc-js';
import { methodDefinition } from './definition.js';
import { fromGrpcError } from './errors.js';
import { namespaceHeader } from './namespace.js';
import type { CallOptions, ServiceClient } from './types.js';

/** containerd's defaults.DefaultMaxRecvMsgSize / DefaultMaxSendMsgSize. */
export const maxMessageSize = 16 << 20;

/** A channel to a unix socket path (or any grpc-js target such as "unix:///run/x.sock"). */
export function connect(address: string): grpc.Client {
  const target = address.includes('://') ? address : `unix://${address}`;
  return new grpc.Client(target, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': maxMessageSize,
    'grpc.max_send_message_length': maxMessageSize,
  });
}

export interface ClientDefaults {
  namespace?: string;
}

export function createClient<S extends GenServiceMethods>(
  service: GenService<S>,
  channel: grpc.Client,
  defaults: ClientDefaults = {},
): ServiceClient<S> {
  const client: Record<string, unknown> = {};
  for (const method of service.methods) client[method.localName] = clientMethod(channel, method, defaults);
  return client as ServiceClient<S>;
}

function prepare(options: CallOptions | undefined, defaults: ClientDefaults) {
  const metadata = new grpc.Metadata();
  const namespace = options?.namespace ?? defaults.namespace;
  if (namespace !== undefined) metadata.set(namespaceHeader, namespace);
  for (const [k, v] of Object.entries(options?.metadata ?? {})) metadata.set(k, v);
  const callOptions: grpc.CallOptions = {};
  if (options?.deadline !== undefined) {
    callOptions.deadline = typeof options.deadline === 'number' ? Date.now() + options.deadline : options.deadline;
  }
  return { metadata, callOptions };
}

function cancelOn(signal: AbortSignal | undefined, call: grpc.Call): void {
  if (signal === undefined) return;
  if (signal.aborted) call.cancel();
  else signal.addEventListener('abort', () => call.cancel(), { once: true });
}

/** The response side of a streaming call; leaving the loop early cancels the call. */
async function* responses(stream: grpc.ClientReadableStream<Message> | grpc.ClientDuplexStream<Message, Message>) {
  let finished = false;
  try {
    for await (const message of stream.iterator({ destroyOnReturn: false })) yield message as Message;
    finished = true;
  } catch (err) {
    finished = true;
    throw fromGrpcError(err);
  } finally {
    if (!finished) stream.cancel();
  }
}

async function feed(call: grpc.ClientWritableStream<Message> | grpc.ClientDuplexStream<Message, Message>,
  method: DescMethod, requests: AsyncIterable<unknown>): Promise<void> {
  try {
    for await (const request of requests) {
      if (!call.write(create(method.input, request as Message))) await once(call, 'drain');
    }
    call.end();
  } catch {
    call.cancel();
  }
}

function clientMethod(channel: grpc.Client, method: DescMethod, defaults: ClientDefaults) {
  const def = methodDefinition(method);
  const path = def.path;
  const ser = def.requestSerialize;
  const de = def.responseDeserialize;
  switch (method.methodKind) {
    case 'unary':
      return (request: unknown, options?: CallOptions) =>
        new Promise<Message>((resolve, reject) => {
          const { metadata, callOptions } = prepare(options, defaults);
          const call = channel.makeUnaryRequest(path, ser, de, create(method.input, request as Message), metadata,
            callOptions, (err, value) => (err ? reject(fromGrpcError(err)) : resolve(value as Message)));
          cancelOn(options?.signal, call);
        });
    case 'server_streaming':
      return (request: unknown, options?: CallOptions) => {
        const { metadata, callOptions } = prepare(options, defaults);
        const call = channel.makeServerStreamRequest(path, ser, de, create(method.input, request as Message), metadata, callOptions);
        cancelOn(options?.signal, call);
        return responses(call);
      };
    case 'client_streaming':
      return (requests: AsyncIterable<unknown>, options?: CallOptions) =>
        new Promise<Message>((resolve, reject) => {
          const { metadata, callOptions } = prepare(options, defaults);
          const call = channel.makeClientStreamRequest(path, ser, de, metadata, callOptions,
            (err, value) => (err ? reject(fromGrpcError(err)) : resolve(value as Message)));
          cancelOn(options?.signal, call);
          void feed(call, method, requests);
        });
    case 'bidi_streaming':
      return (requests: AsyncIterable<unknown>, options?: CallOptions) => {
        const { metadata, callOptions } = prepare(options, defaults);
        const call = channel.makeBidiStreamRequest(path, ser, de, metadata, callOptions);
        cancelOn(options?.signal, call);
        void feed(call, method, requests);
        return responses(call);
      };
  }
}
