import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { formatSpec } from './default-spec.js';
import { RLIMIT_RESOURCES, RLIM_INFINITY, rlimitResource, wrongRlimitMessage } from './rlimits.js';
import { canRunContainers, logMessages, makeBundle, runContainer, scriptConfig } from './real-runc.test.js';

describe('rlimitResource', () => {
  it('maps the sixteen names to the kernel resource numbers', () => {
    expect(Object.keys(RLIMIT_RESOURCES)).toHaveLength(16);
    expect(rlimitResource('RLIMIT_CPU', 'f')).toBe(0);
    expect(rlimitResource('RLIMIT_NOFILE', 'f')).toBe(7);
    expect(rlimitResource('RLIMIT_AS', 'f')).toBe(9);
    expect(rlimitResource('RLIMIT_RTTIME', 'f')).toBe(15);
    expect(new Set(Object.values(RLIMIT_RESOURCES))).toEqual(new Set([...Array(16).keys()]));
  });

  it('rejects unknown types naming the field, then with runc words', () => {
    for (const bad of ['RLIMIT_FOO', 'rlimit_nofile', 'NOFILE', 'toString', '']) {
      try {
        rlimitResource(bad, 'process.rlimits[1].type');
        throw new Error(`accepted ${bad}`);
      } catch (e) {
        expect(isBerthError(e, 'InvalidArgument')).toBe(true);
        expect((e as Error).message).toBe(`process.rlimits[1].type: wrong rlimit value: ${bad}`);
      }
    }
  });
});

describe.runIf(canRunContainers)('against runc', () => {
  it('fails a bad type with the same message', () => {
    const config = scriptConfig('true');
    config.process.rlimits = [
      { type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 },
      { type: 'RLIMIT_FOO', hard: 1, soft: 1 },
    ];
    const b = makeBundle(config);
    try {
      const r = runContainer(b);
      expect(r.code).not.toBe(0);
      expect(logMessages(r.stderr).map((m) => m.msg)).toEqual([`runc run failed: ${wrongRlimitMessage('RLIMIT_FOO')}`]);
    } finally {
      b.cleanup();
    }
  });

  it('sets each named limit on the resource number we map it to', () => {
    // /proc/self/limits lists resources in kernel number order, so row N
    // must show the values we gave the name we map to N. Hard limits can only
    // go down here (no CAP_SYS_RESOURCE in every sandbox), so each value is
    // taken just below our own hard limit, distinct per resource where the
    // limit allows (nice and rtprio are often 0 and then stay 0).
    const ownHard = readFileSync('/proc/self/limits', 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => /\s(\d+|unlimited)\s+(\d+|unlimited)(\s|$)/.exec(row)![2]!);
    const value = (n: number) => {
      const hard = ownHard[n]!;
      if (hard === 'unlimited') return 2 ** 33 + n;
      return Math.max(0, Math.min(Number(hard), 1_048_576) - 1 - n);
    };
    const config = scriptConfig('cat /proc/self/limits');
    config.process.rlimits = Object.keys(RLIMIT_RESOURCES).map((type) => {
      const n = rlimitResource(type, 'f');
      const infinite = type === 'RLIMIT_CORE' && ownHard[n] === 'unlimited';
      return { type, soft: value(n), hard: infinite ? Number(RLIM_INFINITY) : value(n) };
    });
    const b = makeBundle(formatSpec(config));
    try {
      const r = runContainer(b);
      expect(r.stderr).toBe('');
      const rows = r.stdout.trim().split('\n').slice(1);
      expect(rows).toHaveLength(16);
      for (const [type, n] of Object.entries(RLIMIT_RESOURCES)) {
        const hard = type === 'RLIMIT_CORE' && ownHard[n] === 'unlimited' ? 'unlimited' : String(value(n));
        expect(rows[n], type).toMatch(new RegExp(`\\s${value(n)}\\s+${hard}(\\s|$)`));
      }
    } finally {
      b.cleanup();
    }
  });
});
