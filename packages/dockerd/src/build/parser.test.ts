import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './parser.js';
import { expandWord, parsePairs, splitWords } from './words.js';

describe('Dockerfile parser', () => {
  it('joins continuations, skips comments, keeps the original text and line numbers', () => {
    const got = parseDockerfile('# syntax comment\nFROM busybox AS base\n\nRUN echo a \\\n# inside\n  && echo b\ncopy --from=base --chown=1:2 /x /y\nCMD ["sh", "-c", "x"]\n');
    expect(got.map((i) => [i.keyword, i.line])).toEqual([['from', 2], ['run', 4], ['copy', 7], ['cmd', 8]]);
    expect(got[1]?.original).toBe('RUN echo a   && echo b');
    expect(got[2]?.flags).toEqual({ from: 'base', chown: '1:2' });
    expect(got[2]?.args).toBe('/x /y');
    expect(got[3]?.json).toEqual(['sh', '-c', 'x']);
  });

  it('honours the escape directive', () => {
    const got = parseDockerfile('# escape=`\nFROM busybox\nRUN echo a `\n  b\n');
    expect(got[1]?.args).toBe('echo a   b');
  });

  it('names the line of an unknown instruction', () => {
    expect(() => parseDockerfile('FROM busybox\nENV A=b\nFOO bar\n')).toThrow('dockerfile parse error line 3: unknown instruction: FOO');
  });
});

describe('Dockerfile words', () => {
  const vars = new Map([['A', 'one'], ['EMPTY', '']]);
  it('expands variables with defaults and alternatives, quotes removed', () => {
    expect(splitWords('$A "${A} two" \'$A\' ${B:-dflt} ${A:+alt} ${EMPTY:-e} ${EMPTY-e}', vars)).toEqual(['one', 'one two', '$A', 'dflt', 'alt', 'e', '']);
    expect(expandWord('/srv/$A/x y', vars)).toBe('/srv/one/x y');
  });
  it('parses ENV pairs in both forms', () => {
    expect(parsePairs('A=1 B="two words"', vars, true, 'ENV')).toEqual([['A', '1'], ['B', 'two words']]);
    expect(parsePairs('KEY some value $A', vars, true, 'ENV')).toEqual([['KEY', 'some value one']]);
  });
});
