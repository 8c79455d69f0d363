/**
 * `--change` instructions for import (moby's BuildFromConfig subset that
 * commit/import accept): CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD,
 * STOPSIGNAL, USER, VOLUME, WORKDIR, applied to an image config's `config`.
 * Exec form is JSON; shell form of CMD/ENTRYPOINT runs under /bin/sh -c.
 */
import { invalidArgument } from '@berth/errors';

type Config = Record<string, unknown>;

function jsonArray(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(rest) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

const unquote = (s: string): string => (/^".*"$/.test(s) || /^'.*'$/.test(s) ? s.slice(1, -1) : s);

/** key=value pairs (or the old `KEY value` form). */
function pairs(rest: string): Array<[string, string]> {
  if (!rest.includes('=')) {
    const sp = rest.search(/\s/);
    return sp < 0 ? [] : [[rest.slice(0, sp), rest.slice(sp).trim()]];
  }
  const out: Array<[string, string]> = [];
  for (const m of rest.matchAll(/([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) out.push([m[1] ?? '', unquote(m[2] ?? '')]);
  return out;
}

export function applyChange(cfg: Config, line: string): void {
  const trimmed = line.trim();
  if (!trimmed) return;
  const sp = trimmed.search(/\s/);
  const word = (sp < 0 ? trimmed : trimmed.slice(0, sp)).toUpperCase();
  const rest = sp < 0 ? '' : trimmed.slice(sp).trim();
  const cmdForm = () => jsonArray(rest) ?? ['/bin/sh', '-c', rest];
  switch (word) {
    case 'CMD': cfg.Cmd = cmdForm(); break;
    case 'ENTRYPOINT': cfg.Entrypoint = cmdForm(); break;
    case 'ENV': {
      const env = ((cfg.Env as string[] | undefined) ?? []).slice();
      for (const [k, v] of pairs(rest)) {
        const i = env.findIndex((e) => e.split('=')[0] === k);
        if (i >= 0) env[i] = `${k}=${v}`; else env.push(`${k}=${v}`);
      }
      cfg.Env = env;
      break;
    }
    case 'LABEL': cfg.Labels = { ...((cfg.Labels as Record<string, string> | undefined) ?? {}), ...Object.fromEntries(pairs(rest)) }; break;
    case 'EXPOSE': {
      const ports = { ...((cfg.ExposedPorts as Record<string, object> | undefined) ?? {}) };
      for (const p of rest.split(/\s+/).filter(Boolean)) ports[p.includes('/') ? p : `${p}/tcp`] = {};
      cfg.ExposedPorts = ports;
      break;
    }
    case 'VOLUME': {
      const vols = { ...((cfg.Volumes as Record<string, object> | undefined) ?? {}) };
      for (const v of jsonArray(rest) ?? rest.split(/\s+/).filter(Boolean)) vols[v] = {};
      cfg.Volumes = vols;
      break;
    }
    case 'USER': cfg.User = rest; break;
    case 'WORKDIR': cfg.WorkingDir = rest; break;
    case 'STOPSIGNAL': cfg.StopSignal = rest; break;
    case 'ONBUILD': cfg.OnBuild = [...((cfg.OnBuild as string[] | undefined) ?? []), rest]; break;
    default:
      throw invalidArgument(`${word.toLowerCase()} is not a valid change command`);
  }
}
