/**
 * Freezing a cgroup: every task in it (and its descendants) stops being
 * scheduled until thawed, so a signal sweep or a checkpoint sees a stable set
 * of processes.
 */
import { failedPrecondition, internal } from '@berth/errors';
import { errnoCode, readOptional, sleepMs, sysError, writeRaw } from './fsutil.js';

const FIELD = 'freezer';

function writeState(dir: string, file: string, value: string): void {
  try {
    writeRaw(dir, file, value);
  } catch (err) {
    throw sysError(FIELD, `write ${file}`, err);
  }
}

/**
 * v1: write FROZEN and read freezer.state back until it says FROZEN. The v1
 * freezer can sit in FREEZING for a while, and may never finish while new
 * tasks keep arriving (fork, or pids written to cgroup.procs); runc's
 * empirically chosen recipe retries, with an occasional thaw and short sleep
 * to let a fork storm settle. On failure we thaw: a half-frozen container is
 * worse than a running one.
 */
export function freezeV1(dir: string): void {
  if (readOptional(dir, 'freezer.state') === undefined) {
    throw failedPrecondition(`${FIELD}: cannot freeze: ${dir}/freezer.state does not exist`);
  }
  try {
    for (let i = 0; i < 1000; i++) {
      if (i % 50 === 49) {
        writeState(dir, 'freezer.state', 'THAWED');
        sleepMs(10);
      }
      writeState(dir, 'freezer.state', 'FROZEN');
      if (i % 25 === 24) sleepMs(1);
      const state = (readOptional(dir, 'freezer.state') ?? '').trim();
      if (state === 'FROZEN') return;
      if (state !== 'FREEZING') throw internal(`${FIELD}: unexpected state ${JSON.stringify(state)} while freezing`);
    }
    throw internal(`${FIELD}: unable to freeze ${dir}: stuck in FREEZING`);
  } catch (err) {
    try {
      writeRaw(dir, 'freezer.state', 'THAWED');
    } catch {
      // report the original error
    }
    throw err;
  }
}

export function thawV1(dir: string): void {
  if (readOptional(dir, 'freezer.state') === undefined) return; // nothing to thaw
  writeState(dir, 'freezer.state', 'THAWED');
}

/**
 * Frozen by itself, as runc reports it: a cgroup frozen only because an
 * ancestor is (freezer.self_freezing 0) counts as not paused.
 */
export function isFrozenV1(dir: string): boolean {
  for (let i = 0; i < 1000; i++) {
    const state = (readOptional(dir, 'freezer.state') ?? '').trim();
    if (state === 'FREEZING') {
      sleepMs(1);
      continue;
    }
    if (state !== 'FROZEN') return false;
    const self = readOptional(dir, 'freezer.self_freezing');
    return self === undefined ? true : self.trim() === '1';
  }
  return false;
}

/**
 * v2: cgroup.freeze takes 1/0; the freeze completes asynchronously and
 * cgroup.events reports "frozen 1" when every task has stopped. Poll it
 * (10ms x 1000, as runc).
 */
export function freezeV2(dir: string): void {
  if (readOptional(dir, 'cgroup.freeze') === undefined) {
    throw failedPrecondition(`${FIELD}: freezer not supported: ${dir}/cgroup.freeze does not exist`);
  }
  writeState(dir, 'cgroup.freeze', '1');
  for (let i = 0; i < 1000; i++) {
    if (readFrozenEvent(dir)) return;
    sleepMs(10);
  }
  try {
    writeRaw(dir, 'cgroup.freeze', '0');
  } catch {
    // report the timeout
  }
  throw internal(`${FIELD}: timeout of 10s reached waiting for ${dir} to freeze`);
}

function readFrozenEvent(dir: string): boolean {
  const events = readOptional(dir, 'cgroup.events') ?? '';
  return /^frozen 1$/m.test(events);
}

export function thawV2(dir: string): void {
  try {
    writeRaw(dir, 'cgroup.freeze', '0');
  } catch (err) {
    // No freezer (kernel < 5.2) or no cgroup: nothing is frozen.
    if (errnoCode(err) === 'ENOENT') return;
    throw sysError(FIELD, 'write cgroup.freeze', err);
  }
}

export function isFrozenV2(dir: string): boolean {
  return (readOptional(dir, 'cgroup.freeze') ?? '0').trim() === '1';
}
