import { describe, expect, it } from 'vitest';
import { defaultFlags, formatFlags, parseArgs } from './flags.js';

describe('shim flags', () => {
  it('parses Go-style flags before the command', () => {
    const { flags, command } = parseArgs(['-namespace', 'ns', '--id=c1', '-address', '/run/c.sock', '-bundle=/b', '-debug', 'start']);
    expect(command).toBe('start');
    expect(flags).toMatchObject({ namespace: 'ns', id: 'c1', address: '/run/c.sock', bundle: '/b', logLevel: 'debug' });
    expect(flags.runtimeRoot).toBe('/run/berth/runc');
  });

  it('round-trips through formatFlags (start hands its flags to serve)', () => {
    const { flags } = parseArgs(['-namespace', 'n', '-id', 'x', '-socket', '/s', '-runtime-root', '/r', 'start']);
    expect(parseArgs([...formatFlags(flags), 'serve'])).toEqual({ flags, command: 'serve' });
    expect(formatFlags(defaultFlags())).toEqual([]);
  });

  it('rejects unknown flags and commands, and missing values, like Go flag', () => {
    expect(() => parseArgs(['-bogus', 'start'])).toThrow('flag provided but not defined: -bogus');
    expect(() => parseArgs(['-id'])).toThrow('flag needs an argument: -id');
    expect(() => parseArgs(['run'])).toThrow('unknown command "run"');
    expect(() => parseArgs(['-id', 'x'])).toThrow(/a command is required/);
    expect(parseArgs(['-v']).command).toBe('version');
  });
});
