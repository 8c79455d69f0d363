import { describe, expect, it } from 'vitest';
import { type Features, features, formatFeatures } from './features.js';
import { hasRunc, run } from './real-runc.test.js';
import { RUNC_COMMIT, RUNC_VERSION } from './version.js';

/** Every object's key list, depth first, as "path: k1,k2,...". */
function keyOrder(v: unknown, path = '$'): string[] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  return [
    `${path}: ${Object.keys(v).join(',')}`,
    ...Object.entries(v).flatMap(([k, x]) => keyOrder(x, `${path}.${k}`)),
  ];
}

describe('features', () => {
  it('reports what berth-runc supports', () => {
    const f = features();
    expect(f.linux!.seccomp!.archs).toEqual(['SCMP_ARCH_X32', 'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64']);
    expect(f.linux!.seccomp!.actions).not.toContain('SCMP_ACT_NOTIFY');
    expect(f.linux!.cgroup).toEqual({ v1: true, v2: true, systemd: false, systemdUser: false });
    expect(f.linux!.apparmor).toEqual({ enabled: false });
    expect(f.annotations).toEqual({
      'org.opencontainers.runc.version': RUNC_VERSION,
      'org.opencontainers.runc.commit': RUNC_COMMIT,
      'org.opencontainers.runc.checkpoint.enabled': 'false',
    });
  });

  it('prints false booleans (Go pointer fields) and sorted annotations', () => {
    const text = formatFeatures();
    expect(text).toContain('\n        "selinux": {\n            "enabled": false\n        }\n');
    expect(text).toMatch(/"annotations": \{\n {8}"org\.opencontainers\.runc\.checkpoint\.enabled": "false",\n {8}"org\.opencontainers\.runc\.commit"/);
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe.runIf(hasRunc)('against `runc features`', () => {
  const realText = () => {
    const r = run(['features']);
    expect(r.code).toBe(0);
    return r.stdout;
  };

  it('formats runc own document byte for byte', () => {
    const text = realText();
    expect(formatFeatures(JSON.parse(text) as Features)).toBe(text);
  });

  it('has the same keys in the same order, and the same shape', () => {
    const real = JSON.parse(realText()) as Features;
    const ours = JSON.parse(formatFeatures()) as Features;
    const withoutLibseccomp = (f: Features) => {
      const copy = structuredClone(f);
      delete copy.annotations!['io.github.seccomp.libseccomp.version'];
      return keyOrder(copy);
    };
    expect(keyOrder(ours)).toEqual(withoutLibseccomp(real));
  });

  it('lists the same values except where we say otherwise', () => {
    const real = JSON.parse(realText()) as Features;
    const ours = features();
    expect(ours.ociVersionMin).toBe(real.ociVersionMin);
    expect(ours.ociVersionMax).toBe(real.ociVersionMax);
    expect(ours.hooks).toEqual(real.hooks);
    expect(ours.mountOptions).toEqual(real.mountOptions);
    expect(ours.linux!.namespaces).toEqual(real.linux!.namespaces);
    expect(ours.linux!.capabilities).toEqual(real.linux!.capabilities);
    expect(ours.linux!.seccomp!.operators).toEqual(real.linux!.seccomp!.operators);
    expect(ours.linux!.seccomp!.actions).toEqual(real.linux!.seccomp!.actions!.filter((a) => a !== 'SCMP_ACT_NOTIFY'));
    // Same sort order as runc: our archs appear in runc's list in the same relative order.
    const realArchs = real.linux!.seccomp!.archs!;
    expect(realArchs.filter((a) => ours.linux!.seccomp!.archs!.includes(a))).toEqual(ours.linux!.seccomp!.archs);
  });
});
