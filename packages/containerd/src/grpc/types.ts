/**
 * Handler and client method types derived from a generated service descriptor
 * (protoc-gen-es GenService): requests arrive as full messages, responses may be
 * returned as init shapes (plain objects), by the four gRPC method kinds.
 */
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from '../log.js';

export type MethodShape = GenServiceMethods[string];
type Input<M extends MethodShape> = M['input'] extends DescMessage ? M['input'] : never;
type Output<M extends MethodShape> = M['output'] extends DescMessage ? M['output'] : never;
export type RequestOf<M extends MethodShape> = MessageShape<Input<M>>;
export type RequestInitOf<M extends MethodShape> = MessageInitShape<Input<M>>;
export type ResponseOf<M extends MethodShape> = MessageShape<Output<M>>;
export type ResponseInitOf<M extends MethodShape> = MessageInitShape<Output<M>>;

/** What a handler knows about its call besides the request. */
export interface CallContext {
  /** "/containerd.services.namespaces.v1.Namespaces/Create" */
  readonly path: string;
  readonly metadata: Metadata;
  /** Aborted when the client cancels or goes away; streaming handlers must stop then. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** The caller's namespace, required (FailedPrecondition / InvalidArgument like containerd). */
  namespace(): string;
}

export type Handler<M extends MethodShape> = M['methodKind'] extends 'unary'
  ? (request: RequestOf<M>, ctx: CallContext) => Promise<ResponseInitOf<M>> | ResponseInitOf<M>
  : M['methodKind'] extends 'server_streaming'
    ? (request: RequestOf<M>, ctx: CallContext) => AsyncIterable<ResponseInitOf<M>>
    : M['methodKind'] extends 'client_streaming'
      ? (requests: AsyncIterable<RequestOf<M>>, ctx: CallContext) => Promise<ResponseInitOf<M>>
      : (requests: AsyncIterable<RequestOf<M>>, ctx: CallContext) => AsyncIterable<ResponseInitOf<M>>;

/** A service implementation; methods left out answer UNIMPLEMENTED. */
export type ServiceImpl<S extends GenServiceMethods> = { [K in keyof S]?: Handler<S[K]> };

export interface CallOptions {
  /** Sets "containerd-namespace" (overrides the client's default). */
  namespace?: string;
  signal?: AbortSignal;
  /** Absolute deadline, or milliseconds from now. */
  deadline?: Date | number;
  metadata?: Record<string, string>;
}

export type ClientMethod<M extends MethodShape> = M['methodKind'] extends 'unary'
  ? (request: RequestInitOf<M>, options?: CallOptions) => Promise<ResponseOf<M>>
  : M['methodKind'] extends 'server_streaming'
    ? (request: RequestInitOf<M>, options?: CallOptions) => AsyncIterable<ResponseOf<M>>
    : M['methodKind'] extends 'client_streaming'
      ? (requests: AsyncIterable<RequestInitOf<M>>, options?: CallOptions) => Promise<ResponseOf<M>>
      : (requests: AsyncIterable<RequestInitOf<M>>, options?: CallOptions) => AsyncIterable<ResponseOf<M>>;

export type ServiceClient<S extends GenServiceMethods> = { [K in keyof S]: ClientMethod<S[K]> };

/** The implementation type of a generated service constant: `ImplOf<typeof Namespaces>`. */
export type ImplOf<T> = T extends GenService<infer S> ? ServiceImpl<S> : never;
/** The client type of a generated service constant: `ClientOf<typeof Namespaces>`. */
export type ClientOf<T> = T extends GenService<infer S> ? ServiceClient<S> : never;
