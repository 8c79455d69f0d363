/**
 * go-units' HumanDuration and HumanSizeWithPrecision(size, 3), as docker uses
 * them for the CREATED ("2 years ago") and SIZE ("4.26MB") columns.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(Math.floor(ms / 3_600_000) / 24 / 365)} years`;
}

const decimal = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Go's %.3g: three significant digits, trailing zeros dropped. */
/** Go's %.<precision>g as go-units uses it (3 by default, 4 for docker's VirtualSize). */
function gPrecision(n: number, precision: number): string {
  const s = n.toPrecision(precision);
  return s.includes('e') ? s : s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

export function humanSize(size: number, precision = 3): string {
  let i = 0;
  while (size >= 1000 && i < decimal.length - 1) {
    size /= 1000;
    i++;
  }
  return `${gPrecision(size, precision)}${decimal[i] ?? 'B'}`;
}

/** Go's time.Time.String() for a Unix time, in UTC: "2024-01-01 00:00:00 +0000 UTC". */
export function goTimeString(unixSeconds: number): string {
  const iso = new Date(unixSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

const durationUnitsNs: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration in nanoseconds ("1m30s", "-2h", "0"); undefined for anything else. */
export function goDurationNs(value: string): number | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(value);
  if (value === '0' || value === '+0' || value === '-0') return 0;
  if (!m) return undefined;
  const total = [...value.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)].reduce((sum, p) => sum + Number(p[1]) * (durationUnitsNs[p[2] ?? 's'] ?? 0), 0);
  return Math.round(m[1] === '-' ? -total : total);
}
