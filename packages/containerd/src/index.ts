/**
 * @berth/containerd as a library: the gRPC adapter over generated descriptors
 * (server and client), the namespace helpers, the daemon for in-process use,
 * and containerd's Any conventions. Generated message types are imported from
 * "@berth/containerd/gen/..." paths of this package's dist.
 */
export { serveService, type ServeOptions } from './grpc/serve.js';
export { connect, createClient, maxMessageSize, type ClientDefaults } from './grpc/client.js';
export { toGrpcStatus, fromGrpcError } from './grpc/errors.js';
export { namespaceHeader, namespaceOf, namespaceRequired } from './grpc/namespace.js';
export type {
  CallContext,
  CallOptions,
  ClientOf,
  Handler,
  ImplOf,
  ServiceClient,
  ServiceImpl,
} from './grpc/types.js';
export { packAny, unpackAs, unpackAny } from './typeurl.js';
export { validateIdentifier, validateLabels } from './identifiers.js';
export { parseFilter, parseFilters } from './filters/parse.js';
export { startDaemon, type Daemon } from './daemon/daemon.js';
export { defaults as defaultConfig, type Config } from './daemon/config.js';
export { createLogger, type Logger, type LogLevel } from './log.js';
