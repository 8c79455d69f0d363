import { describe, expect, it } from 'vitest';
import { GoObject, goInteger, goMap, goMarshalIndent, goPlain, goQuote, goSortStrings } from './go-json.js';
import { canRunContainers, makeBundle, run, containerId, scriptConfig } from './real-runc.test.js';

// Annotation values and keys chosen to hit every escaping and ordering rule.
const tricky: Record<string, string> = {
  z: 'a<b>&c "q" \\ \n\r\t\b\f\x01\x1f\x7f é \u2028\u2029 \u{1F600}',
  a: '1',
  B: '2',
  ék: 'x',
  '\uff01': 'full-width !', // after U+1F600 in UTF-16 order, before it in UTF-8 order
  '\u{1F600}k': 'emoji',
  lone: '\ud800x',
};

describe('goQuote', () => {
  it('escapes like go1.19 encoding/json', () => {
    expect(goQuote('<>&')).toBe('"\\u003c\\u003e\\u0026"');
    expect(goQuote('\b\f\x00\x1f\x7f')).toBe('"\\u0008\\u000c\\u0000\\u001f\x7f"');
    expect(goQuote('\n\r\t"\\')).toBe('"\\n\\r\\t\\"\\\\"');
    expect(goQuote('\u2028\u2029é\u{1F600}')).toBe('"\\u2028\\u2029é\u{1F600}"');
    expect(goQuote('\ud800 \udc00')).toBe('"\ufffd \ufffd"');
  });
});

describe('goInteger', () => {
  it('clamps values past 2^53 to the Go type range', () => {
    expect(goInteger(18446744073709551615, true, 'x')).toBe('18446744073709551615');
    expect(goInteger(9223372036854775807, false, 'x')).toBe('9223372036854775807');
    expect(goInteger(-9223372036854775808, false, 'x')).toBe('-9223372036854775808');
    expect(goInteger(2n ** 60n + 1n, true, 'x')).toBe('1152921504606846977');
    expect(goInteger(-1, false, 'x')).toBe('-1');
    expect(() => goInteger(-1, true, 'f.x')).toThrow(/f\.x/);
    expect(() => goInteger(0.5, false, 'f.x')).toThrow(/f\.x/);
  });
});

describe('goMarshalIndent', () => {
  it('lays out like json.MarshalIndent', () => {
    const node = new GoObject([
      ['a', []],
      ['b', new GoObject([])],
      ['c', [1, true, null, 'x']],
      ['d', goMap([['y', 1], ['x', 2]])],
    ]);
    expect(goMarshalIndent(node, '', '  ')).toBe(
      '{\n  "a": [],\n  "b": {},\n  "c": [\n    1,\n    true,\n    null,\n    "x"\n  ],\n  "d": {\n    "x": 2,\n    "y": 1\n  }\n}',
    );
    expect(goMarshalIndent(goPlain({ k: [1] }), '>', '\t')).toBe('{\n>\t"k": [\n>\t\t1\n>\t]\n>}');
  });

  it('sorts map keys by UTF-8 bytes', () => {
    expect(goSortStrings(Object.keys(tricky))).toEqual(['B', 'a', 'lone', 'z', 'ék', '\uff01', '\u{1F600}k']);
  });
});

describe.runIf(canRunContainers)('against runc', () => {
  it('matches how runc 1.1.5 (go1.19) prints the annotations map in `runc state`', () => {
    const config = { ...scriptConfig('true'), annotations: tricky };
    const b = makeBundle(config);
    const id = containerId();
    try {
      expect(run(['--root', b.state, 'create', '--bundle', b.dir, id], { detached: true }).code).toBe(0);
      const state = run(['--root', b.state, 'state', id]);
      expect(state.code).toBe(0);
      // `runc state` is json.MarshalIndent(state, "", "  ") with annotations a Go map.
      const parsed = JSON.parse(state.stdout) as Record<string, unknown>;
      const node = new GoObject(
        Object.entries(parsed).map(([k, v]) => [
          k,
          k === 'annotations' ? goPlain(v, k, true) : goPlain(v, k),
        ]),
      );
      expect(goMarshalIndent(node, '', '  ')).toBe(state.stdout);
      expect(state.stdout).toContain('"lone": "\ufffdx"');
    } finally {
      run(['--root', b.state, 'delete', '--force', id]);
      b.cleanup();
    }
  });
});
