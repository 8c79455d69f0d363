/**
 * Two differences between docker's flag parsing (cobra) and commander's,
 * settled by rewriting the arguments before commander sees them:
 *
 * - run, create and exec stop reading their own flags at the first argument
 *   (cobra's SetInterspersed(false)): in `run busybox ls -l`, `-l` belongs
 *   to ls. We put `--` in front of that first operand.
 * - commander lets the root's options (-v/--version, -l/--log-level, -H, -D)
 *   be picked up anywhere, even after a subcommand whose own flag has the
 *   same short name (`run -v`, `run -l`, `ps -l`, `rm -l`). A subcommand's
 *   own short flag is spelled out as its long form, which the root does not
 *   know.
 *
 * The walk knows which options take a value (and so skip the next word)
 * from the command tree itself, including clusters like `-it` and `-eX=1`.
 */
import type { Command, Option } from 'commander';

const nonInterspersed = new WeakSet<Command>();

export function stopFlagsAtFirstArgument(cmd: Command): Command {
  nonInterspersed.add(cmd);
  return cmd;
}

function findOption(chain: Command[], flag: string): Option | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    const hit = (chain[i] as Command).options.find((o) => o.short === flag || o.long === flag);
    if (hit) return hit;
  }
  return undefined;
}

const takesValue = (o: Option | undefined): boolean => Boolean(o && (o.required || o.optional));

/** A short-flag cluster as separate words, each shadowed root flag in its long form. */
function expandCluster(chain: Command[], arg: string): { words: string[]; needsValue: boolean } {
  const root = chain[0] as Command;
  const words: string[] = [];
  for (let j = 1; j < arg.length; j++) {
    const flag = `-${arg[j] ?? ''}`;
    const opt = findOption(chain, flag);
    const shadowed = chain.length > 1 && opt !== undefined && root.options.some((o) => o.short === flag) && !root.options.includes(opt);
    const name = shadowed && opt?.long ? opt.long : flag;
    if (takesValue(opt)) {
      const rest = arg.slice(j + 1);
      if (rest) words.push(name.startsWith('--') ? `${name}=${rest.replace(/^=/, '')}` : `${name}${rest}`);
      else words.push(name);
      return { words, needsValue: !rest };
    }
    words.push(name);
  }
  return { words, needsValue: false };
}

export function markOperands(root: Command, argv: string[]): string[] {
  const chain: Command[] = [root];
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const cmd = chain[chain.length - 1] as Command;
    if (arg === '--') return [...out, ...argv.slice(i)];
    if (arg.startsWith('--')) {
      out.push(arg);
      if (!arg.includes('=') && takesValue(findOption(chain, arg)) && i + 1 < argv.length) out.push(argv[++i] as string);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const { words, needsValue } = expandCluster(chain, arg);
      out.push(...words);
      if (needsValue && i + 1 < argv.length) out.push(argv[++i] as string);
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub) {
      chain.push(sub);
      out.push(arg);
      continue;
    }
    if (nonInterspersed.has(cmd)) return [...out, '--', ...argv.slice(i)];
    out.push(arg);
  }
  return out;
}
