/**
 * Facts about the host that /version and /info report (moby's
 * pkg/parsers/operatingsystem, kernel and sysinfo do the same reads).
 */
import fs from 'node:fs';
import os from 'node:os';

/** "Debian GNU/Linux 12 (bookworm)": PRETTY_NAME from os-release. */
export function operatingSystem(): string {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(fs.readFileSync(file, 'utf8'));
      if (m?.[1]) return m[1];
    } catch {
      // try the next one
    }
  }
  return 'Linux';
}

export function osVersion(): string {
  try {
    const m = /^VERSION_ID="?([^"\n]*)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? '';
  } catch {
    return '';
  }
}

/** "2" when /sys/fs/cgroup is the unified hierarchy, else "1" (moby's cgroups.Mode). */
export function cgroupVersion(): '1' | '2' {
  return fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1';
}

/** Go's runtime.GOARCH names for os.arch(). */
export function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
  return map[os.arch()] ?? os.arch();
}

/** uname -m, as /info's Architecture (moby's platform.Architecture). */
export function machine(): string {
  return os.machine();
}

export function kernelVersion(): string {
  return os.release();
}
