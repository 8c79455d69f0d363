import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { markOperands, stopFlagsAtFirstArgument } from './argv.js';

function tree(): Command {
  const root = new Command('berth').option('-H, --host <h>').option('-v, --version').option('-l, --log-level <l>');
  const run = root.command('run').option('-v, --volume <v>').option('-l, --label <l>').option('-i, --interactive').option('-t, --tty').option('-e, --env <e>').option('--rm');
  stopFlagsAtFirstArgument(run);
  root.command('ps').option('-l, --latest').option('-a, --all');
  const container = root.command('container');
  stopFlagsAtFirstArgument(container.command('run').option('-d, --detach'));
  return root;
}

describe('markOperands', () => {
  it('ends run\'s own flags at the image', () => {
    expect(markOperands(tree(), ['run', '--rm', 'busybox', 'ls', '-l'])).toEqual(['run', '--rm', '--', 'busybox', 'ls', '-l']);
    expect(markOperands(tree(), ['-H', 'unix:///x', 'container', 'run', '-d', 'img', '-d'])).toEqual(['-H', 'unix:///x', 'container', 'run', '-d', '--', 'img', '-d']);
  });

  it('skips the values of flags that take one, joined or not', () => {
    expect(markOperands(tree(), ['run', '-e', 'A=1', '-eB=2', '--env=C', 'img'])).toEqual(['run', '-e', 'A=1', '-eB=2', '--env=C', '--', 'img']);
  });

  it('spells out a subcommand flag whose short name the root also has', () => {
    expect(markOperands(tree(), ['run', '-v', '/a:/b', '-l', 'k=v', 'img'])).toEqual(['run', '--volume', '/a:/b', '--label', 'k=v', '--', 'img']);
    expect(markOperands(tree(), ['run', '-itv/a:/b', 'img'])).toEqual(['run', '-i', '-t', '--volume=/a:/b', '--', 'img']);
    expect(markOperands(tree(), ['ps', '-al'])).toEqual(['ps', '-a', '--latest']);
    // before any subcommand the root's own flags stay as they are
    expect(markOperands(tree(), ['-l', 'debug', 'ps'])).toEqual(['-l', 'debug', 'ps']);
  });

  it('leaves an explicit -- alone', () => {
    expect(markOperands(tree(), ['run', '--', 'img', '-v'])).toEqual(['run', '--', 'img', '-v']);
  });
});
