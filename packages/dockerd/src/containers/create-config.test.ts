import { describe, expect, it } from 'vitest';
import { commandOf, configFromBody, hostConfigFromBody, mergeImageConfig } from './create-config.js';

const image = { Env: ['PATH=/bin', 'A=image'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/w', User: 'daemon', Labels: { l: 'image', m: 'image' }, StopSignal: 'SIGQUIT' };

describe('create request', () => {
  it('merges the image config as moby does: user values win, image env keys appended, image Cmd only without user Cmd/Entrypoint', () => {
    const c = mergeImageConfig(configFromBody({ Image: 'x', Env: ['A=user', 'B=user'], Labels: { l: 'user' } }), image);
    expect(c.Env).toEqual(['A=user', 'B=user', 'PATH=/bin']);
    expect(c.Cmd).toEqual(['sh']);
    expect(c.WorkingDir).toBe('/w');
    expect(c.User).toBe('daemon');
    expect(c.Labels).toEqual({ l: 'user', m: 'image' });
    expect(c.StopSignal).toBe('SIGQUIT');
    const withEntrypoint = mergeImageConfig(configFromBody({ Image: 'x', Entrypoint: ['echo'] }), image);
    expect(commandOf(withEntrypoint)).toEqual({ path: 'echo', args: [] });
    const emptyEntrypoint = mergeImageConfig(configFromBody({ Image: 'x', Entrypoint: [''], Cmd: ['ls', '/'] }), { ...image, Entrypoint: ['/init'] });
    expect(commandOf(emptyEntrypoint)).toEqual({ path: 'ls', args: ['/'] });
    expect(() => commandOf(mergeImageConfig(configFromBody({ Image: 'x' }), { ...image, Cmd: null }))).toThrow(/no command specified/);
  });

  it('fills HostConfig defaults and refuses what docker refuses', () => {
    const hc = hostConfigFromBody({});
    expect(hc.NetworkMode).toBe('bridge');
    expect(hc.RestartPolicy).toEqual({ Name: 'no', MaximumRetryCount: 0 });
    expect(hc.LogConfig).toEqual({ Type: 'json-file', Config: {} });
    expect(() => hostConfigFromBody({ AutoRemove: true, RestartPolicy: { Name: 'always' } })).toThrow(/can't create 'AutoRemove' container with restart policy/);
    expect(() => hostConfigFromBody({ RestartPolicy: { Name: 'sometimes' } })).toThrow(/invalid restart policy: unknown policy 'sometimes'/);
    expect(() => hostConfigFromBody({ RestartPolicy: { Name: 'always', MaximumRetryCount: 2 } })).toThrow(/maximum retry count can only be used with 'on-failure'/);
    expect(() => hostConfigFromBody({ LogConfig: { Type: 'syslog' } })).toThrow(/no log driver named 'syslog'/);
    // a user network's name is resolved at create against the networks (test/dockerd/user-networks.test.ts)
    expect(hostConfigFromBody({ NetworkMode: 'mynet' }).NetworkMode).toBe('mynet');
  });
});
