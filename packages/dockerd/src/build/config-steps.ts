/**
 * The instructions that change only the image config (ENV, LABEL, CMD,
 * ENTRYPOINT, EXPOSE, USER, VOLUME, STOPSIGNAL, SHELL, ARG, HEALTHCHECK,
 * ONBUILD, MAINTAINER): each updates the stage's run config and returns the
 * comment moby records as ContainerConfig.Cmd `#(nop) <comment>`.
 */
import { invalidArgument } from '@berth/errors';
import type { Instruction } from './parser.js';
import { setEnv, shellOf, varsOf, type BuildSettings, type Stage } from './state.js';
import { expandWord, parsePairs, splitWords } from './words.js';

/** Go's %q of a []string: ["a" "b"]. */
const goQuoted = (xs: string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** Go's time.ParseDuration for the HEALTHCHECK flags, in nanoseconds. */
function duration(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(v)) !== null) {
    total += Number(m[1]) * (units[m[2] ?? 's'] ?? 1);
    at = re.lastIndex;
  }
  if (at !== v.length || v === '') throw invalidArgument(`time: invalid duration "${v}" for --${flag}`);
  return Math.round(total);
}

function healthcheck(st: Stage, inst: Instruction): Record<string, unknown> {
  const words = inst.args.trim().split(/\s+/);
  const kind = (words[0] ?? '').toUpperCase();
  if (kind === 'NONE') return { Test: ['NONE'] };
  if (kind !== 'CMD') throw invalidArgument('Unknown type "' + kind + '" in HEALTHCHECK (try CMD)');
  const rest = inst.args.trim().slice(3).trim();
  const json = inst.json ?? (rest.startsWith('[') ? (JSON.parse(rest) as string[]) : undefined);
  const test = json ? ['CMD', ...json] : ['CMD-SHELL', rest];
  const hc: Record<string, unknown> = { Test: test };
  const f = inst.flags;
  const put = (k: string, v: number | undefined) => { if (v !== undefined) hc[k] = v; };
  put('Interval', duration('interval', f.interval));
  put('Timeout', duration('timeout', f.timeout));
  put('StartPeriod', duration('start-period', f['start-period']));
  if (f.retries !== undefined) hc.Retries = Number(f.retries);
  void st;
  return hc;
}

/** Applies a config-only instruction; returns the commit comment. */
export function applyConfigStep(st: Stage, inst: Instruction, s: BuildSettings): string {
  const rc = st.runConfig;
  const vars = varsOf(st);
  switch (inst.keyword) {
    case 'env': {
      const pairs = parsePairs(inst.args, vars, true, 'ENV');
      for (const [k, v] of pairs) setEnv(rc, k, v);
      return `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    }
    case 'label': {
      const pairs = parsePairs(inst.args, vars, true, 'LABEL');
      rc.Labels = { ...(rc.Labels ?? {}) };
      for (const [k, v] of pairs) rc.Labels[k] = v;
      return `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    }
    case 'maintainer':
      return `MAINTAINER ${inst.args}`;
    case 'cmd':
    case 'entrypoint': {
      const argv = inst.json ?? [...shellOf(rc), inst.args];
      if (inst.keyword === 'cmd') {
        rc.Cmd = argv;
        st.cmdSet = true;
        return `CMD ${goQuoted(argv)}`;
      }
      rc.Entrypoint = inst.args === '' ? null : argv;
      // a new ENTRYPOINT drops an inherited CMD, unless this stage set one
      if (!st.cmdSet) rc.Cmd = null;
      return `ENTRYPOINT ${goQuoted(argv)}`;
    }
    case 'expose': {
      const ports = splitWords(inst.args, vars).map((p) => (p.includes('/') ? p.toLowerCase() : `${p}/tcp`));
      for (const p of ports) if (!/^\d+(-\d+)?\/(tcp|udp|sctp)$/.test(p)) throw invalidArgument(`Invalid containerPort: ${p.split('/')[0] ?? p}`);
      rc.ExposedPorts = { ...(rc.ExposedPorts ?? {}) };
      for (const p of ports) rc.ExposedPorts[p] = {};
      return `EXPOSE ${ports.join(' ')}`;
    }
    case 'user':
      rc.User = expandWord(inst.args, vars);
      return `USER ${rc.User}`;
    case 'volume': {
      const vols = inst.json ?? splitWords(inst.args, vars);
      if (vols.length === 0 || vols.some((v) => v.trim() === '')) throw invalidArgument('VOLUME specified can not be an empty string');
      rc.Volumes = { ...(rc.Volumes ?? {}) };
      for (const v of vols) rc.Volumes[v] = {};
      return `VOLUME [${vols.join(' ')}]`;
    }
    case 'stopsignal':
      rc.StopSignal = expandWord(inst.args, vars);
      return `STOPSIGNAL ${rc.StopSignal}`;
    case 'shell':
      if (!inst.json || inst.json.length === 0) throw invalidArgument('SHELL requires the arguments to be in JSON form');
      rc.Shell = inst.json;
      return `SHELL [${inst.json.join(' ')}]`;
    case 'arg': {
      const pairs = parsePairs(inst.args, vars, false, 'ARG').map(([k, v], i) => {
        const hasDefault = splitWords(inst.args, undefined)[i]?.includes('=') ?? false;
        return [k, hasDefault ? v : undefined] as const;
      });
      for (const [k, def] of pairs) {
        const given = s.buildArgs.has(k);
        if (given) s.usedArgs.add(k);
        st.args.set(k, given ? s.buildArgs.get(k) : def ?? s.metaArgs.get(k));
      }
      return `ARG ${pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join(' ')}`;
    }
    case 'healthcheck':
      rc.Healthcheck = healthcheck(st, inst);
      return `HEALTHCHECK ${JSON.stringify(rc.Healthcheck)}`;
    case 'onbuild': {
      const trigger = inst.args.trim();
      const kw = (/^\S+/.exec(trigger)?.[0] ?? '').toUpperCase();
      if (kw === 'ONBUILD') throw invalidArgument("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (kw === 'FROM' || kw === 'MAINTAINER') throw invalidArgument(`${kw} isn't allowed as an ONBUILD trigger`);
      rc.OnBuild = [...(rc.OnBuild ?? []), `${kw}${trigger.slice(kw.length)}`];
      return `ONBUILD ${trigger}`;
    }
    default:
      throw invalidArgument(`not a config instruction: ${inst.keyword}`);
  }
}
