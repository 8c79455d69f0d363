/**
 * run/create's healthcheck flags as docker's CLI turns them into
 * Config.Healthcheck: --health-cmd (CMD-SHELL), --health-interval,
 * --health-timeout, --health-start-period, --health-start-interval (Go
 * durations, in nanoseconds), --health-retries, and --no-healthcheck
 * (Test ["NONE"]), with docker's errors.
 */
import { goDurationNs } from '../units.js';

export interface HealthFlags {
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthStartPeriod?: string;
  healthStartInterval?: string;
  healthRetries?: string;
  healthcheck?: boolean; // commander's --no-healthcheck
}

export function healthcheckFrom(o: HealthFlags, bad: (m: string) => Error): Record<string, unknown> | undefined {
  const dur = (v: string | undefined, flag: string): number => {
    if (v === undefined) return 0;
    const ns = goDurationNs(v);
    if (ns === undefined) throw bad(`invalid argument "${v}" for "${flag}" flag: time: invalid duration "${v}"`);
    if (ns < 0) throw bad(`${flag} cannot be negative`);
    return ns;
  };
  const interval = dur(o.healthInterval, '--health-interval');
  const timeout = dur(o.healthTimeout, '--health-timeout');
  const startPeriod = dur(o.healthStartPeriod, '--health-start-period');
  const startInterval = dur(o.healthStartInterval, '--health-start-interval');
  const retries = o.healthRetries === undefined ? 0 : Number(o.healthRetries);
  if (!Number.isInteger(retries)) throw bad(`invalid argument "${o.healthRetries ?? ''}" for "--health-retries" flag: strconv.ParseInt: parsing "${o.healthRetries ?? ''}": invalid syntax`);
  if (retries < 0) throw bad('--health-retries cannot be negative');
  const any = o.healthCmd !== undefined || interval !== 0 || timeout !== 0 || startPeriod !== 0 || startInterval !== 0 || retries !== 0;
  if (o.healthcheck === false) {
    if (any) throw bad('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  return {
    ...(o.healthCmd !== undefined && o.healthCmd !== '' ? { Test: ['CMD-SHELL', o.healthCmd] } : {}),
    Interval: interval,
    Timeout: timeout,
    StartPeriod: startPeriod,
    StartInterval: startInterval,
    Retries: retries,
  };
}
