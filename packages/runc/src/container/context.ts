/** What every runtime operation needs: the state store, the native core, a logger. */
import { StateStore, DEFAULT_ROOT } from '../state/store.js';
import { nativeCore, type NativeCore } from '../native/core.js';

export interface Logger {
  warn(msg: string): void;
  debug(msg: string): void;
}

export interface RuntimeContext {
  store: StateStore;
  core: NativeCore;
  log: Logger;
}

export const silentLogger: Logger = { warn() {}, debug() {} };

export function runtimeContext(opts: { root?: string; core?: NativeCore; log?: Logger } = {}): RuntimeContext {
  return { store: new StateStore(opts.root ?? DEFAULT_ROOT), core: opts.core ?? nativeCore(), log: opts.log ?? silentLogger };
}
