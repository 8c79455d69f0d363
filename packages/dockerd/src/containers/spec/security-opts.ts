/**
 * --security-opt as docker reads it: no-new-privileges[:true|=true],
 * seccomp=unconfined or a profile's JSON (the CLI sends the file's content),
 * apparmor=... and label=... (accepted; this host has neither LSM, so they
 * change nothing, as on a docker host without them).
 */
import { invalidArgument } from '@berth/errors';

export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** undefined: docker's default profile; 'unconfined': none; else a profile's JSON. */
  seccomp: string | undefined;
}

export function parseSecurityOpts(opts: string[] | null): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false, seccomp: undefined };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    const m = /^([a-z-]+)[=:](.*)$/s.exec(opt);
    if (!m) throw invalidArgument(`invalid --security-opt 1: "${opt}"`);
    const [, key = '', value = ''] = m;
    switch (key) {
      case 'no-new-privileges':
        if (value !== 'true' && value !== 'false') throw invalidArgument(`invalid --security-opt 2: "${opt}"`);
        out.noNewPrivileges = value === 'true';
        break;
      case 'seccomp':
        out.seccomp = value;
        break;
      case 'apparmor':
      case 'label':
      case 'systempaths':
        break;
      default:
        throw invalidArgument(`invalid --security-opt 2: "${opt}"`);
    }
  }
  return out;
}
