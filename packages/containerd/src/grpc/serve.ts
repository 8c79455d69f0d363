/**
 * Serving a generated service descriptor on a grpc-js server with typed
 * handlers (see types.ts). Thrown errors become gRPC statuses through
 * errors.ts; methods without a handler answer UNIMPLEMENTED like grpc-go's
 * generated servers; a client's cancel aborts the handler's signal.
 */
import { once, type EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { create, type DescMessage, type DescMethod, type Message } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type * as grpc from '@grpc/grpc-js';
import { isBerthError } from '@berth/errors';
import { silentLogger, type Logger } from '../log.js';
import { methodPath, serviceDefinition } from './definition.js';
import { toGrpcStatus, unimplemented } from './errors.js';
import { namespaceRequired } from './namespace.js';
import type { CallContext, ServiceImpl } from './types.js';

/** What every kind of grpc-js server call has in common (grpc-js does not export its name). */
type AnyCall = Pick<EventEmitter, 'on' | 'off' | 'emit'> & { readonly metadata: grpc.Metadata };
type Untyped = (input: unknown, ctx: CallContext) => unknown;

export interface ServeOptions {
  log?: Logger;
}

export function serveService<S extends GenServiceMethods>(
  server: grpc.Server,
  service: GenService<S>,
  impl: ServiceImpl<S>,
  options: ServeOptions = {},
): void {
  const log = options.log ?? silentLogger;
  const handlers: grpc.UntypedServiceImplementation = {};
  const byLocalName = impl as Record<string, Untyped | undefined>;
  for (const method of service.methods) {
    const handler = byLocalName[method.localName];
    // bound: an implementation may be a class instance
    handlers[method.name] = handler === undefined ? notServed(method) : served(method, handler.bind(impl), log);
  }
  server.addService(serviceDefinition(service), handlers);
}

function notServed(method: DescMethod): grpc.UntypedHandleCall {
  const status = unimplemented(method.name);
  if (method.methodKind === 'unary' || method.methodKind === 'client_streaming') {
    return (_call: AnyCall, callback: grpc.sendUnaryData<Message>) => callback(status);
  }
  return (call: AnyCall) => call.emit('error', status);
}

function callContext(call: AnyCall, method: DescMethod, log: Logger) {
  const controller = new AbortController();
  const onCancel = () => controller.abort(new Error('cancelled by the client'));
  call.on('cancelled', onCancel);
  const path = methodPath(method);
  const ctx: CallContext = {
    path,
    metadata: call.metadata,
    signal: controller.signal,
    log: log.with({ method: path }),
    namespace: () => namespaceRequired(call.metadata),
  };
  return { ctx, done: () => call.off('cancelled', onCancel) };
}

function report(ctx: CallContext, err: unknown): grpc.StatusObject {
  const status = toGrpcStatus(err);
  if (isBerthError(err) && err.code !== 'Internal') ctx.log.debug('call failed', { error: err });
  else ctx.log.error('call failed', { error: err });
  return status;
}

/**
 * The request side of a streaming call. destroyOnReturn: false because the
 * default destroys the whole duplex when the client half-closes, and then the
 * final status of a bidi call could never be sent.
 */
async function* requests(call: Readable): AsyncGenerator<unknown> {
  for await (const message of call.iterator({ destroyOnReturn: false })) yield message;
}

async function pump(call: grpc.ServerWritableStream<Message, Message> | grpc.ServerDuplexStream<Message, Message>,
  output: DescMessage, responses: AsyncIterable<unknown>, signal: AbortSignal): Promise<void> {
  for await (const item of responses) {
    if (signal.aborted) return;
    if (!call.write(create(output, item as Message))) await once(call, 'drain', { signal });
  }
}

function served(method: DescMethod, handler: Untyped, log: Logger): grpc.UntypedHandleCall {
  const output = method.output;
  switch (method.methodKind) {
    case 'unary':
    case 'client_streaming':
      return (call: grpc.ServerUnaryCall<Message, Message> | grpc.ServerReadableStream<Message, Message>,
        callback: grpc.sendUnaryData<Message>) => {
        const { ctx, done } = callContext(call, method, log);
        const input = 'request' in call ? call.request : requests(call);
        Promise.resolve()
          .then(() => handler(input, ctx))
          .then(
            (res) => callback(null, create(output, res as Message)),
            (err: unknown) => callback(report(ctx, err)),
          )
          .finally(done);
      };
    case 'server_streaming':
    case 'bidi_streaming':
      return (call: grpc.ServerWritableStream<Message, Message> | grpc.ServerDuplexStream<Message, Message>) => {
        const { ctx, done } = callContext(call, method, log);
        const input = 'request' in call ? call.request : requests(call);
        Promise.resolve()
          .then(() => pump(call, output, handler(input, ctx) as AsyncIterable<unknown>, ctx.signal))
          .then(
            () => {
              if (!ctx.signal.aborted) call.end();
            },
            (err: unknown) => {
              if (!ctx.signal.aborted) call.emit('error', report(ctx, err));
            },
          )
          .finally(done);
      };
  }
}
