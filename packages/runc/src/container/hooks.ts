/**
 * Runs the hooks that execute in the runtime's namespaces (prestart,
 * createRuntime, poststart, poststop): the container state JSON on stdin, killed
 * after `timeout` seconds. createContainer and startContainer hooks run inside
 * the container from the native core instead.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { internal } from '@berth/errors';
import type { Hook, HookName } from '../spec/types.js';

export interface OciState {
  ociVersion: string;
  id: string;
  status: string;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

export function runHooks(name: HookName, hooks: Hook[] | undefined, state: OciState): void {
  (hooks ?? []).forEach((hook, i) => {
    const args = hook.args && hook.args.length > 0 ? hook.args : [hook.path];
    const r = spawnSync(hook.path, args.slice(1), {
      argv0: args[0],
      // runc runs hooks from the bundle directory (it chdirs there on create/run).
      cwd: fs.existsSync(state.bundle) ? state.bundle : '/',
      env: Object.fromEntries((hook.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
      input: JSON.stringify(state),
      timeout: hook.timeout ? hook.timeout * 1000 : undefined,
      killSignal: 'SIGKILL',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const field = `hooks.${name}[${i}]`;
    const errno = (r.error as NodeJS.ErrnoException | undefined)?.code;
    if (errno === 'ETIMEDOUT' || (r.signal === 'SIGKILL' && hook.timeout))
      throw internal(`error running ${name} hook #${i}: ${field}: timeout after ${hook.timeout}s`);
    if (r.error && errno !== 'EPIPE') throw internal(`error running ${name} hook #${i}: ${field}: ${r.error.message}`);
    if (r.status !== 0) {
      const stdout = r.stdout?.toString().trim() ?? '';
      const stderr = r.stderr?.toString().trim() ?? '';
      const why = r.signal ? `signal: ${r.signal}` : `exit status ${r.status}`;
      throw internal(`error running ${name} hook #${i}: ${field}: ${why}${stdout || stderr ? `, stdout: ${stdout}, stderr: ${stderr}` : ''}`);
    }
  });
}
