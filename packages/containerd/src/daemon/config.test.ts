import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { applyOverrides, defaults, loadConfigFile } from './config.js';
import { envOverrides, parseFlags } from './flags.js';
import { socketPath } from './socket.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('config file (containerd TOML)', () => {
  it('reads version, root, state and [grpc] address, ignoring other keys', () => {
    const p = write(
      'ok.toml',
      `version = 2
root = "/tmp/r"
state = "/tmp/s"
oom_score = -999
[grpc]
  address = "/tmp/s/c.sock"
  max_recv_message_size = 16777216
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "x"
`,
    );
    expect(loadConfigFile(p)).toEqual({
      version: 2,
      root: '/tmp/r',
      state: '/tmp/s',
      grpc: { address: '/tmp/s/c.sock' },
      logLevel: 'info',
    });
  });

  it('treats a missing file as defaults (like containerd) and version 1 files as valid', () => {
    expect(loadConfigFile(path.join(dir, 'absent.toml'))).toEqual(defaults);
    expect(loadConfigFile(write('v1.toml', 'root = "/x"\n')).version).toBe(1);
  });

  it('rejects newer versions, wrong types and broken TOML with InvalidArgument', () => {
    const v3 = failure(() => loadConfigFile(write('v3.toml', 'version = 3\n')));
    expect(isBerthError(v3, 'InvalidArgument')).toBe(true);
    expect((v3 as Error).message).toContain('equal to or less than 2, got 3');
    expect(isBerthError(failure(() => loadConfigFile(write('t.toml', 'root = 5\n'))), 'InvalidArgument')).toBe(true);
    expect(isBerthError(failure(() => loadConfigFile(write('b.toml', 'root = \n'))), 'InvalidArgument')).toBe(true);
  });

  it('layers defaults < file < environment < flags', () => {
    const file = loadConfigFile(write('layers.toml', 'root = "/file/root"\nstate = "/file/state"\n'));
    const env = envOverrides({ BERTH_CONTAINERD_STATE: '/env/state', BERTH_CONTAINERD_ROOT: '/env/root' });
    const flags = parseFlags(['--root', '/flag/root', '-a', '/flag/c.sock', '--log-level', 'debug']);
    expect(applyOverrides(file, env, flags)).toMatchObject({
      root: '/flag/root',
      state: '/env/state',
      grpc: { address: '/flag/c.sock' },
      logLevel: 'debug',
    });
  });
});

describe('command line (containerd flags)', () => {
  it('takes the long and short forms', () => {
    expect(parseFlags(['-c', '/c.toml', '-l', 'warn', '--state', '/s'])).toMatchObject({
      config: '/c.toml',
      logLevel: 'warn',
      state: '/s',
      version: false,
    });
    expect(parseFlags(['-v']).version).toBe(true);
  });

  it('rejects unknown flags and levels', () => {
    expect(isBerthError(failure(() => parseFlags(['--bogus'])), 'InvalidArgument')).toBe(true);
    expect(isBerthError(failure(() => parseFlags(['--log-level', 'loud'])), 'InvalidArgument')).toBe(true);
  });

  it('accepts unix:// addresses and refuses other schemes and over-long paths', () => {
    expect(socketPath('unix:///run/x.sock')).toBe('/run/x.sock');
    expect(isBerthError(failure(() => socketPath('tcp://127.0.0.1:1')), 'InvalidArgument')).toBe(true);
    expect(isBerthError(failure(() => socketPath(`/${'x'.repeat(120)}`)), 'InvalidArgument')).toBe(true);
  });
});
