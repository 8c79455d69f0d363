import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { defaultSpec, formatSpec, rootlessSpec, toRootless } from './default-spec.js';
import { hasRunc, run, tempDir } from './real-runc.test.js';
import type { Spec } from './types.js';

/** The bytes `runc spec [extra]` writes, run as is or under a wrapper (setpriv). */
function runcSpecBytes(extra: string[] = [], wrap?: string[]): string {
  const dir = tempDir();
  try {
    chmodSync(dir, 0o777);
    const r = run(['spec', ...extra], { cwd: dir, wrap });
    expect(r.stderr).toBe('');
    return readFileSync(join(dir, 'config.json'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.runIf(hasRunc)('against runc spec', () => {
  it('defaultSpec() formats to the exact bytes of `runc spec`', () => {
    const real = runcSpecBytes();
    expect(real.endsWith('}')).toBe(true); // no trailing newline
    expect(formatSpec(defaultSpec())).toBe(real);
  });

  it('rootlessSpec() formats to the exact bytes of `runc spec --rootless`', () => {
    expect(formatSpec(rootlessSpec())).toBe(runcSpecBytes(['--rootless']));
  });

  it.runIf(process.geteuid?.() === 0)('maps the caller effective uid/gid like runc', () => {
    const real = runcSpecBytes(['--rootless'], ['setpriv', '--reuid=1000', '--regid=1001', '--clear-groups']);
    expect(real).toContain('"hostID": 1001');
    expect(formatSpec(rootlessSpec({ uid: 1000, gid: 1001 }))).toBe(real);
  });

  it('re-formats a parsed runc config byte for byte', () => {
    for (const extra of [[], ['--rootless']]) {
      const real = runcSpecBytes(extra);
      expect(formatSpec(JSON.parse(real) as Spec)).toBe(real);
    }
  });
});

describe('defaultSpec / toRootless', () => {
  it('returns independent objects', () => {
    const a = defaultSpec();
    a.process!.args!.push('x');
    a.mounts!.pop();
    expect(defaultSpec().process!.args).toEqual(['sh']);
    expect(defaultSpec().mounts).toHaveLength(7);
  });

  it('does not modify its input and drops options that end up empty', () => {
    const spec: Spec = {
      ociVersion: '1.0.2-dev',
      mounts: [
        { destination: '/sys/', type: 'sysfs', source: 'sysfs' },
        { destination: '/x', type: 'tmpfs', options: ['uid=1', 'gid=2'] },
      ],
      linux: { namespaces: [{ type: 'user', path: '/proc/1/ns/user' }, { type: 'network' }, { type: 'pid' }] },
    };
    const before = structuredClone(spec);
    const out = toRootless(spec, { uid: 5, gid: 6 });
    expect(spec).toEqual(before);
    expect(out.mounts![0]).toEqual({
      destination: '/sys',
      type: 'none',
      source: '/sys',
      options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
    });
    expect(out.mounts![1]).toEqual({ destination: '/x', type: 'tmpfs' });
    expect(out.linux!.namespaces).toEqual([{ type: 'pid' }, { type: 'user' }]);
    expect(out.linux!.uidMappings).toEqual([{ containerID: 0, hostID: 5, size: 1 }]);
  });
});

describe('formatSpec', () => {
  const rich: Spec = {
    ociVersion: '1.1.0',
    process: {
      user: { uid: 1, gid: 2, umask: 0, additionalGids: [3] },
      args: ['a<b>&c'],
      cwd: '/',
      oomScoreAdj: 0,
      rlimits: [{ type: 'RLIMIT_CORE', hard: 18446744073709551615, soft: 0 }],
    },
    hooks: { poststop: [{ path: '/bin/x', timeout: 0 }], prestart: [] },
    annotations: { 'b.key': '2', 'a.key': '1' },
    linux: {
      seccomp: {
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 1,
        syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] }],
      },
      resources: {
        pids: { limit: 10 },
        memory: { limit: 0, disableOOMKiller: false },
        devices: [{ allow: true, type: 'c', major: 1, minor: null, access: 'rwm' }],
      },
      uidMappings: [{ containerID: 0, hostID: 1000, size: 65536 }],
      sysctl: { 'net.b': '1', 'net.a': '2' },
    },
  };

  // Written by hand from the Go structs' field order and omitempty tags.
  const expected = `{
	"ociVersion": "1.1.0",
	"process": {
		"user": {
			"uid": 1,
			"gid": 2,
			"umask": 0,
			"additionalGids": [
				3
			]
		},
		"args": [
			"a\\u003cb\\u003e\\u0026c"
		],
		"cwd": "/",
		"rlimits": [
			{
				"type": "RLIMIT_CORE",
				"hard": 18446744073709551615,
				"soft": 0
			}
		],
		"oomScoreAdj": 0
	},
	"hooks": {
		"poststop": [
			{
				"path": "/bin/x",
				"timeout": 0
			}
		]
	},
	"annotations": {
		"a.key": "1",
		"b.key": "2"
	},
	"linux": {
		"uidMappings": [
			{
				"containerID": 0,
				"hostID": 1000,
				"size": 65536
			}
		],
		"sysctl": {
			"net.a": "2",
			"net.b": "1"
		},
		"resources": {
			"devices": [
				{
					"allow": true,
					"type": "c",
					"major": 1,
					"access": "rwm"
				}
			],
			"memory": {
				"limit": 0,
				"disableOOMKiller": false
			},
			"pids": {
				"limit": 10
			}
		},
		"seccomp": {
			"defaultAction": "SCMP_ACT_ERRNO",
			"defaultErrnoRet": 1,
			"syscalls": [
				{
					"names": [
						"read"
					],
					"action": "SCMP_ACT_ALLOW",
					"args": [
						{
							"index": 0,
							"value": 1,
							"op": "SCMP_CMP_EQ"
						}
					]
				}
			]
		}
	}
}`;

  it('writes fields in Go struct order with Go omitempty rules', () => {
    expect(formatSpec(rich)).toBe(expected);
  });

  it('ignores the key order of the JS object', () => {
    const reversed = JSON.parse(JSON.stringify(rich), (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    ) as Spec;
    expect(formatSpec(reversed)).toBe(expected);
  });

  it('round-trips through JSON.parse', () => {
    const parsed = JSON.parse(formatSpec(rich)) as Spec;
    expect(formatSpec(parsed)).toBe(expected);
    expect(parsed.linux!.resources!.pids).toEqual({ limit: 10 });
  });

  it('writes Go zero values for missing required fields', () => {
    const spec = {
      process: { user: {}, terminal: false },
      linux: { resources: { pids: {} }, seccomp: { syscalls: [{}] } },
    } as unknown as Spec;
    expect(JSON.parse(formatSpec(spec))).toEqual({
      ociVersion: '',
      process: { user: { uid: 0, gid: 0 }, cwd: '' },
      linux: {
        resources: { pids: { limit: 0 } },
        seccomp: { defaultAction: '', syscalls: [{ names: null, action: '' }] },
      },
    });
  });

  it('keeps members the structs do not declare, after the declared ones', () => {
    const spec = { vm: { kernel: { path: '/k' } }, ociVersion: '1', root: { extra: 1, path: 'r' } } as unknown as Spec;
    expect(formatSpec(spec)).toBe(
      '{\n\t"ociVersion": "1",\n\t"root": {\n\t\t"path": "r",\n\t\t"extra": 1\n\t},\n\t"vm": {\n\t\t"kernel": {\n\t\t\t"path": "/k"\n\t\t}\n\t}\n}',
    );
  });

  it('refuses values Go could not have decoded, naming the field', () => {
    const bad = (spec: unknown, field: string) => {
      try {
        formatSpec(spec as Spec);
      } catch (e) {
        expect(isBerthError(e, 'InvalidArgument')).toBe(true);
        expect((e as Error).message).toContain(field);
        return;
      }
      throw new Error('expected an error');
    };
    bad({ ociVersion: 1 }, 'ociVersion');
    bad({ ociVersion: '1', process: { user: { uid: -1 }, cwd: '/' } }, 'process.user.uid');
    bad({ ociVersion: '1', linux: { resources: { memory: { limit: 1.5 } } } }, 'linux.resources.memory.limit');
    bad({ ociVersion: '1', mounts: [{ destination: '/', options: 'ro' }] }, 'mounts[0].options');
  });
});
