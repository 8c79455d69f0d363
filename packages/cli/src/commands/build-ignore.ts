/**
 * .dockerignore as the docker CLI reads it (moby's patternmatcher): one
 * pattern a line, `#` comments, paths cleaned and made relative, `**` for any
 * number of directories, `!` exceptions, the last matching line decides, and
 * a pattern that matches a directory matches everything below it.
 */
import path from 'node:path';

interface Pattern {
  re: RegExp;
  exclusion: boolean;
}

function toRegex(p: string): RegExp {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] ?? '';
    if (c === '*') {
      if (p[i + 1] === '*') {
        i++;
        // `**/` matches zero or more directories
        if (p[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = p.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < p.length) re += (p[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function parseIgnore(text: string): Pattern[] {
  const out: Pattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const exclusion = line.startsWith('!');
    if (exclusion) line = line.slice(1).trim();
    const clean = path.posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (clean === '' || clean === '.') continue;
    out.push({ re: toRegex(clean), exclusion });
  }
  return out;
}

/** Whether `rel` (a slash path relative to the context) is left out. */
export function isIgnored(patterns: Pattern[], rel: string): boolean {
  let ignored = false;
  const parts = rel.split('/');
  for (const p of patterns) {
    // the path itself or any of its parent directories
    let hit = false;
    for (let n = parts.length; n > 0 && !hit; n--) hit = p.re.test(parts.slice(0, n).join('/'));
    if (hit) ignored = !p.exclusion;
  }
  return ignored;
}
