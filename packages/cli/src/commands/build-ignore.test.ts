import { describe, expect, it } from 'vitest';
import { isIgnored, parseIgnore } from './build-ignore.js';

describe('.dockerignore patterns', () => {
  const p = parseIgnore('# comment\n*.log\n/tmp\n**/cache\nsecret*\n!secret-ok.txt\ndocs/**/*.md\n');
  it.each([
    ['a.log', true],
    ['dir/a.log', false],
    ['tmp/x', true],
    ['cache', true],
    ['a/b/cache/x', true],
    ['secret.txt', true],
    ['secret-ok.txt', false],
    ['docs/a.md', true],
    ['docs/x/y/a.md', true],
    ['docs/a.txt', false],
    ['src/main.ts', false],
  ])('%s ignored: %s', (rel, want) => {
    expect(isIgnored(p, rel)).toBe(want);
  });
});
