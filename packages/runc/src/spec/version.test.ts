import { describe, expect, it } from 'vitest';
import { hasRunc, run } from './real-runc.test.js';
import { OCI_VERSION, RUNC_COMMIT, RUNC_VERSION, versionText } from './version.js';

/** containerd's go-runc reading of `runc --version`. */
function goRuncParse(text: string): { runc?: string; commit?: string; spec?: string } {
  const lines = text.trim().split('\n');
  if (!lines[0]!.startsWith('runc version ')) return {};
  const v: { runc?: string; commit?: string; spec?: string } = { runc: lines[0]!.slice(13) };
  for (const l of lines.slice(1)) {
    if (l.startsWith('commit: ')) v.commit = l.slice(8);
    else if (l.startsWith('spec: ')) v.spec = l.slice(6);
  }
  return v;
}

/** dockerd's parseRuntimeVersion (docker info): every line with "version" wins. */
function dockerParse(text: string): { runtime: string; version: string; commit: string } {
  let runtime = '';
  let version = '';
  let commit = '';
  for (const line of text.trim().split('\n')) {
    if (line.includes('version')) {
      const s = line.split('version');
      runtime = s[0]!.trim();
      version = s.at(-1)!.trim();
    } else if (line.startsWith('commit:')) {
      commit = line.slice('commit:'.length).trim();
    }
  }
  return { runtime, version, commit };
}

describe('versionText', () => {
  const text = versionText('v24.0.0');

  it('is runc-shaped and honest about being berth', () => {
    expect(text).toBe(`runc version 1.1.5+berth\ncommit: ${RUNC_COMMIT}\nspec: 1.0.2-dev\nnode: v24.0.0\n`);
    expect(versionText()).toContain(`node: ${process.version}\n`);
  });

  it('parses as containerd and dockerd parse runc', () => {
    expect(goRuncParse(text)).toEqual({ runc: RUNC_VERSION, commit: RUNC_COMMIT, spec: OCI_VERSION });
    expect(dockerParse(text)).toEqual({ runtime: 'runc', version: RUNC_VERSION, commit: RUNC_COMMIT });
  });
});

describe.runIf(hasRunc)('against `runc --version`', () => {
  it('has the same first three lines, modulo the values', () => {
    const real = run(['--version']).stdout;
    expect(real.endsWith('\n')).toBe(true);
    const shape = (t: string) =>
      t
        .split('\n')
        .slice(0, 3)
        .map((l) => l.replace(/^(runc version |commit: )\S+$/, '$1X'));
    expect(shape(versionText())).toEqual(shape(real));
    expect(goRuncParse(real).spec).toBe(goRuncParse(versionText()).spec);
    // The parsers read both the same way.
    expect(Object.keys(goRuncParse(real))).toEqual(Object.keys(goRuncParse(versionText())));
    expect(dockerParse(real).runtime).toBe(dockerParse(versionText()).runtime);
  });
});
