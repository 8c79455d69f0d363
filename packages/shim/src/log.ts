/**
 * The shim's logs: JSON lines (containerd's shape: level, msg, time, fields) to
 * <bundle>/shim.log, written synchronously with O_APPEND so that a line is never
 * lost or torn when the shim dies right after it. A spare shim logs to -log
 * until Create tells it its bundle; the sink can be moved then.
 */
import fs from 'node:fs';
import { createLogger, isLogLevel, type Logger, type LogLevel } from '@berth/containerd/log';

export type { Logger } from '@berth/containerd/log';

export class LogSink {
  private fd = -1;

  constructor(file: string) {
    this.moveTo(file);
  }

  /** '' stops writing (a spare shim without -log). */
  moveTo(file: string): void {
    const old = this.fd;
    this.fd = file === '' ? -1 : fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    if (old >= 0) fs.closeSync(old);
  }

  write(line: string): void {
    if (this.fd < 0) return;
    try {
      fs.writeSync(this.fd, line);
    } catch {
      // a full disk must not take the container's shim down
    }
  }
}

export function shimLogger(sink: LogSink, level: string, fields: Record<string, unknown>): Logger {
  const lvl: LogLevel = isLogLevel(level) ? level : 'info';
  return createLogger(lvl, (line) => sink.write(line), fields);
}

/** A logger that always writes through current() (the logger is replaced when a spare shim is bound). */
export function forwardingLogger(current: () => Logger, fields: Record<string, unknown> = {}): Logger {
  const at = () => (Object.keys(fields).length > 0 ? current().with(fields) : current());
  return {
    trace: (msg, f) => at().trace(msg, f),
    debug: (msg, f) => at().debug(msg, f),
    info: (msg, f) => at().info(msg, f),
    warn: (msg, f) => at().warn(msg, f),
    error: (msg, f) => at().error(msg, f),
    with: (more) => forwardingLogger(current, { ...fields, ...more }),
  };
}
