import { describe, expect, it } from 'vitest';
import { DeviceEmulator, RUNC_DEFAULT_ALLOWED_DEVICES, ruleString, rulesFromSpec } from './devices.js';

const strings = (from: DeviceEmulator, to: DeviceEmulator): string[] =>
  from.transition(to).map((r) => `${r.allow ? 'allow' : 'deny'} ${ruleString(r)}`);

describe('devices cgroup v1 emulation', () => {
  const denyAll = { allow: false, access: 'rwm' };

  it('converts OCI rules like runc (type "" or missing = a, null major = *)', () => {
    expect(rulesFromSpec([denyAll, { allow: true, type: 'c', major: 1, minor: null, access: 'mwr' }])).toEqual([
      { type: 'a', major: -1, minor: -1, access: 'rwm', allow: false },
      { type: 'c', major: 1, minor: -1, access: 'rwm', allow: true },
    ]);
    expect(() => rulesFromSpec([{ allow: true, type: 'c', access: '' }])).toThrow(/devices\[0\].access: device access cannot be empty/);
    expect(() => rulesFromSpec([{ allow: true, type: 'c', access: 'rx' }])).toThrow(/invalid device access/);
  });

  it('from a fresh (allow-all) cgroup, writes deny-all first and then the exceptions', () => {
    const current = DeviceEmulator.fromList('a *:* rwm\n');
    expect(current.defaultAllow).toBe(true);
    const target = DeviceEmulator.fromRules(rulesFromSpec([denyAll, ...RUNC_DEFAULT_ALLOWED_DEVICES]));
    expect(strings(current, target)).toEqual([
      'deny a *:* rwm',
      'allow b *:* m', // sorted by (major, minor, type), as runc
      'allow c *:* m',
      'allow c 1:3 rwm',
      'allow c 1:5 rwm',
      'allow c 1:7 rwm',
      'allow c 1:8 rwm',
      'allow c 1:9 rwm',
      'allow c 5:0 rwm',
      'allow c 5:2 rwm',
      'allow c 10:200 rwm',
      'allow c 136:* rwm',
    ]);
  });

  it('updates a whitelist minimally, without a deny-all window', () => {
    const current = DeviceEmulator.fromList('c 1:3 rwm\nc 1:5 rwm\n');
    const target = DeviceEmulator.fromRules(
      rulesFromSpec([denyAll, { allow: true, type: 'c', major: 1, minor: 3, access: 'r' }, { allow: true, type: 'c', major: 1, minor: 9, access: 'rw' }]),
    );
    expect(strings(current, target)).toEqual(['deny c 1:3 wm', 'deny c 1:5 rwm', 'allow c 1:9 rw']);
    expect(strings(current, DeviceEmulator.fromList('c 1:3 rwm\nc 1:5 rwm\n'))).toEqual([]);
  });

  it('switching to allow-all is a single reset', () => {
    const current = DeviceEmulator.fromList('c 1:3 rwm\n');
    const target = DeviceEmulator.fromRules(rulesFromSpec([{ allow: true, access: 'rwm' }]));
    expect(strings(current, target)).toEqual(['allow a *:* rwm']);
    // a blacklist with a deny exception
    const black = DeviceEmulator.fromRules(rulesFromSpec([{ allow: true, access: 'rwm' }, { allow: false, type: 'b', major: 8, minor: 0, access: 'w' }]));
    expect(strings(current, black)).toEqual(['allow a *:* rwm', 'deny b 8:0 w']);
  });

  it('refuses to punch a hole into a wildcard exception (the kernel would ignore it)', () => {
    expect(() =>
      DeviceEmulator.fromRules(rulesFromSpec([denyAll, { allow: true, type: 'c', major: 1, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'r' }])),
    ).toThrow(/cannot punch a hole in the wildcard rule "c 1:\* rwm"/);
  });

  it('compares states', () => {
    expect(DeviceEmulator.fromList('c 1:3 rwm\n').equals(DeviceEmulator.fromRules(rulesFromSpec([denyAll, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }])))).toBe(true);
    expect(DeviceEmulator.fromList('c 1:3 rw\n').equals(DeviceEmulator.fromList('c 1:3 rwm\n'))).toBe(false);
  });
});
