/**
 * The Dockerfile's lines into instructions, as moby's parser reads them:
 * parser directives (`# escape=`) at the very top, comments and blank lines
 * skipped (also inside a continued instruction), the escape character at the
 * end of a line continuing it, the keyword case-insensitive. `original` is
 * what the classic builder prints after `Step n/m :`.
 */
import { invalidArgument } from '@berth/errors';

export interface Instruction {
  /** Lower case: `from`, `run`, ... */
  keyword: string;
  /** Everything after the keyword and its flags, continuations joined. */
  args: string;
  /** `--from=x`, `--chown=u:g`, ... (COPY, ADD, FROM --platform). */
  flags: Record<string, string>;
  /** The instruction as written, continuations joined: what `Step n/m :` shows. */
  original: string;
  /** 1-based line of its first line. */
  line: number;
  /** args is a JSON string array (exec form). */
  json: string[] | undefined;
}

export const knownKeywords = new Set([
  'from', 'run', 'cmd', 'entrypoint', 'env', 'label', 'maintainer', 'expose', 'user', 'workdir', 'arg',
  'copy', 'add', 'volume', 'stopsignal', 'shell', 'healthcheck', 'onbuild',
]);

/** `["a", "b"]` as a string array, else undefined (then the shell form applies). */
export function parseJsonArray(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Leading `--name=value` flags (COPY --from, --chown, FROM --platform, ...). */
function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let s = rest;
  for (;;) {
    const m = /^--([a-zA-Z-]+)(?:=(\S*))?\s*/.exec(s);
    if (!m || m[1] === undefined) break;
    flags[m[1].toLowerCase()] = m[2] ?? 'true';
    s = s.slice(m[0].length);
  }
  return { flags, args: s };
}

function directives(lines: string[]): { escape: string; skip: number } {
  let escape = '\\';
  let skip = 0;
  for (const l of lines) {
    const m = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(l);
    if (!m || m[1] === undefined || m[2] === undefined) break;
    if (m[1].toLowerCase() === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw invalidArgument(`invalid ESCAPE '${m[2]}'. Must be \` or \\`);
      escape = m[2];
    }
    skip++;
  }
  return { escape, skip };
}

export function parseDockerfile(text: string): Instruction[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const { escape, skip } = directives(lines);
  const out: Instruction[] = [];
  let i = skip;
  while (i < lines.length) {
    const first = lines[i] ?? '';
    const start = i + 1;
    i++;
    if (/^\s*(#.*)?$/.test(first)) continue;
    let joined = '';
    let cur = first;
    // an escape at the end of a line continues the instruction; comment lines inside are dropped
    for (;;) {
      const t = cur.replace(/\s+$/, '');
      if (t.endsWith(escape) && i <= lines.length) {
        joined += t.slice(0, -1);
        while (i < lines.length && /^\s*#/.test(lines[i] ?? '')) i++;
        if (i >= lines.length) break;
        cur = lines[i] ?? '';
        i++;
        continue;
      }
      joined += cur;
      break;
    }
    const trimmed = joined.trim();
    const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
    if (!m || m[1] === undefined) continue;
    const keyword = m[1].toLowerCase();
    if (!knownKeywords.has(keyword)) throw invalidArgument(`dockerfile parse error line ${start}: unknown instruction: ${m[1].toUpperCase()}`);
    const { flags, args } = ['copy', 'add', 'from', 'run', 'healthcheck'].includes(keyword) ? splitFlags(m[2] ?? '') : { flags: {}, args: m[2] ?? '' };
    out.push({ keyword, args: args.trim(), flags, original: trimmed, line: start, json: parseJsonArray(args) });
  }
  return out;
}
