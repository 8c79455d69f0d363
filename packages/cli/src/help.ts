/**
 * `--help` shaped like docker's (cobra's templates): a Usage line, the
 * description, Aliases, command groups, Options (or Global Options at the
 * root) with cobra's "-f, --format string" flag column, and a closing hint.
 */
import type { Command, Option } from 'commander';

/** Sets a command's usage suffix, docker group and aliases shown in help. */
export interface HelpMeta {
  usage: string;
  group?: 'Commands' | 'Management Commands';
  aliases?: string[];
}

const meta = new WeakMap<Command, HelpMeta>();

export function describeCommand(cmd: Command, m: HelpMeta): Command {
  meta.set(cmd, m);
  return cmd;
}

export function fullName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function usageLine(cmd: Command): string {
  return `${fullName(cmd)} ${meta.get(cmd)?.usage ?? '[OPTIONS]'}`.trim();
}

/** cobra's flag column: "-f, --format string" or "    --tls". */
function flagText(o: Option): string {
  const arg = o.required || o.optional ? ` ${/<(\w+)>|\[(\w+)\]/.exec(o.flags)?.slice(1).find(Boolean) ?? 'string'}` : '';
  return (o.short ? `${o.short}, ` : '    ') + (o.long ?? '') + arg;
}

function table(rows: [string, string][], gap: number): string[] {
  const width = Math.max(...rows.map(([l]) => l.length)) + gap;
  return rows.map(([left, right]) => {
    const [first, ...more] = right.split('\n');
    return [`  ${left.padEnd(width)}${first}`, ...more.map((m) => `  ${' '.repeat(width)}${m}`)].join('\n');
  });
}

export function formatHelp(cmd: Command): string {
  const lines: string[] = [`Usage:  ${usageLine(cmd)}`, '', cmd.description()];
  const aliases = meta.get(cmd)?.aliases;
  if (aliases?.length) lines.push('', 'Aliases:', `  ${aliases.join(', ')}`);
  const visible = cmd.commands.filter((c) => c.name() !== 'help');
  for (const group of ['Commands', 'Management Commands'] as const) {
    const inGroup = visible.filter((c) => (meta.get(c)?.group ?? 'Commands') === group);
    if (!inGroup.length) continue;
    const rows = inGroup.map((c): [string, string] => [c.name(), c.description()]);
    lines.push('', `${group}:`, ...table(rows.map(([n, d]) => [n.padEnd(10), d]), 2));
  }
  const opts = cmd.options.filter((o) => !o.hidden);
  if (opts.length) {
    lines.push('', cmd.parent ? 'Options:' : 'Global Options:', ...table(opts.map((o) => [flagText(o), o.description]), 3));
  }
  if (visible.length) lines.push('', `Run '${fullName(cmd)} COMMAND --help' for more information on a command.`);
  return `${lines.join('\n')}\n`;
}

export const formatFlagHelp =
  "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given\nGo template.\nRefer to https://docs.docker.com/go/formatting/\nfor more information about formatting output with\ntemplates";
