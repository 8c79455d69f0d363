/**
 * Structured logs: one JSON object per line on stderr with level, msg and time
 * (RFC 3339, like containerd's --log-format json), plus any fields. Levels are
 * containerd's (--log-level trace|debug|info|warn|error|fatal|panic).
 */
export const LogLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'] as const;
export type LogLevel = (typeof LogLevels)[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  with(fields: LogFields): Logger;
}

export function isLogLevel(s: string): s is LogLevel {
  return (LogLevels as readonly string[]).includes(s);
}

/** Errors become {message, code?, cause?} so they survive JSON.stringify. */
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { message: value.message };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (value.cause !== undefined) out.cause = plain(value.cause);
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
  base: LogFields = {},
): Logger {
  const min = LogLevels.indexOf(level);
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (LogLevels.indexOf(lvl) < min) return;
    const record: Record<string, unknown> = { level: lvl, msg, time: new Date().toISOString() };
    for (const [k, v] of Object.entries({ ...base, ...fields })) record[k] = plain(v);
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    trace: (msg, f) => emit('trace', msg, f),
    debug: (msg, f) => emit('debug', msg, f),
    info: (msg, f) => emit('info', msg, f),
    warn: (msg, f) => emit('warn', msg, f),
    error: (msg, f) => emit('error', msg, f),
    with: (fields) => createLogger(level, write, { ...base, ...fields }),
  };
}

/** For tests and library use where nobody reads the logs. */
export const silentLogger: Logger = createLogger('panic', () => {});
