/**
 * @berth/runc as a library: the same operations as the berth-runc command line,
 * for callers (berth-shim) that run the runtime in-process.
 */
export { runtimeContext, silentLogger, type RuntimeContext, type Logger } from './container/context.js';
export { createContainer, loadSpec, type CreateOptions } from './container/create.js';
export { startContainer } from './container/start.js';
export { killContainer } from './container/kill.js';
export { deleteContainer } from './container/delete.js';
export { containerState, containerStatusOf, listContainers } from './container/query.js';
export { containerPids } from './container/processes.js';
export { pauseContainer, resumeContainer } from './container/pause.js';
export { updateContainer } from './container/update.js';
export { execProcess, execProcessSpec, type ExecOptions } from './container/exec.js';
export { parseSignal } from './container/signals.js';
export type { RuncState } from './container/oci-state.js';
export type { ContainerStatus } from './container/status.js';
export type { Spec, Process, LinuxResources } from './spec/types.js';
export { defaultSpec, formatSpec } from './spec/default-spec.js';
export { nativeCore, type NativeCore, type WaitResult } from './native/core.js';
