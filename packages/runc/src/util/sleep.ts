/**
 * Blocks the thread for `ms`: the runtime's CLI is synchronous, and the states
 * it waits for (a freezing cgroup, a dying init, a fifo being opened) settle in
 * milliseconds.
 */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
