/**
 * config.json features of the OCI runtime spec as berth-runc applies them, as
 * root with real namespaces, mounts and devices; where runc 1.1.5 supports a
 * feature the same bundle is run by it and the observations compared.
 * Process, seccomp/sysctl, hooks and cgroup features are in the
 * config-*.test.ts files beside this one.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, tempRoot, uniqueId } from '../helpers/bundle.js';
import { Runtime } from '../helpers/runtime.js';
import { normaliseMountinfo, runBoth, type Pair } from '../helpers/differential.js';
import type { Spec } from '../../packages/runc/src/spec/types.js';

let tmp: string;
let rt: Runtime;
let pair: Pair;

beforeAll(() => {
  tmp = tempRoot('features');
  fs.chmodSync(tmp, 0o755);
  rt = Runtime.berth(tmp);
  pair = { tmp, berth: rt, runc: Runtime.real(tmp) };
});
afterAll(() => {
  rt.cleanup();
  pair.runc.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs `sh -c script` in berth-runc in the foreground; expects exit 0 and returns stdout. */
function sh(script: string, mutate?: (s: Spec) => void): string {
  const b = makeBundle(tmp, ['sh', '-c', script], mutate);
  const r = rt.run(['run', '--bundle', b.dir, uniqueId('f')]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** A detached `sleep` container; returns its id and init pid. */
function sleeper(mutate?: (s: Spec) => void, runtime: Runtime = rt): { id: string; pid: number } {
  const b = makeBundle(tmp, ['sleep', '300'], mutate);
  const id = uniqueId('sl');
  runtime.ok(['run', '-d', '--bundle', b.dir, id]);
  return { id, pid: runtime.state(id).pid };
}

const nsInode = (p: string) => fs.statSync(p).ino;

const userns = (s: Spec) => {
  s.linux!.namespaces!.push({ type: 'user' });
  s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
};

describe('namespaces', () => {
  it('creates new pid, mount, uts, ipc, network and cgroup namespaces and keeps the user one', () => {
    const { id, pid } = sleeper((s) => s.linux!.namespaces!.push({ type: 'cgroup' }));
    for (const ns of ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'])
      expect(nsInode(`/proc/${pid}/ns/${ns}`), ns).not.toBe(nsInode(`/proc/self/ns/${ns}`));
    expect(nsInode(`/proc/${pid}/ns/user`)).toBe(nsInode('/proc/self/ns/user'));
    // pid 1 in its pid namespace, its own cgroup at the root of its cgroup namespace
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(status).toMatch(/^NSpid:\s+\d+\s+1$/m);
    expect(rt.ok(['exec', id, 'cat', '/proc/self/cgroup'])).toMatch(/^\d+:memory:\/$/m);
    rt.ok(['delete', '-f', id]);
  });

  it('joins a network namespace by path (ip netns) and another container\'s by /proc/<pid>/ns/net', () => {
    const name = `berth-t-${process.pid}`;
    execFileSync('ip', ['netns', 'add', name]);
    try {
      const nsPath = `/var/run/netns/${name}`;
      const join = (p: string) => (s: Spec) => {
        s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'network' ? { type: 'network', path: p } : n));
      };
      const a = sleeper(join(nsPath));
      expect(nsInode(`/proc/${a.pid}/ns/net`)).toBe(nsInode(nsPath));
      const b = sleeper(join(`/proc/${a.pid}/ns/net`));
      expect(nsInode(`/proc/${b.pid}/ns/net`)).toBe(nsInode(nsPath));
      // the other namespaces are still new ones
      expect(nsInode(`/proc/${b.pid}/ns/uts`)).not.toBe(nsInode(`/proc/${a.pid}/ns/uts`));
      const c = sleeper(join(nsPath), pair.runc);
      expect(nsInode(`/proc/${c.pid}/ns/net`)).toBe(nsInode(nsPath));
      for (const id of [a.id, b.id]) rt.ok(['delete', '-f', id]);
      pair.runc.ok(['delete', '-f', c.id]);
    } finally {
      execFileSync('ip', ['netns', 'delete', name]);
    }
  });

  it('maps container root to host uid 100000 in a user namespace, like runc', () => {
    const shared = fs.mkdtempSync(path.join(tmp, 'owned-'));
    fs.chmodSync(shared, 0o777);
    const r = runBoth(
      pair,
      ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; id; touch /data/made-by-$(cat /proc/self/uid_map | wc -l)-$$; ls -ln /data | tail -n +2 | awk \'{print $1, $3, $4, $NF}\''],
      (s) => {
        userns(s);
        s.mounts!.push({ destination: '/data', type: 'bind', source: shared, options: ['rbind'] });
      },
      (b) => {
        fs.chmodSync(b.dir, 0o755);
        fs.mkdirSync(path.join(b.rootfs, 'data'));
      },
    );
    expect(r.berth.stderr).toBe('');
    expect(r.berth.stdout).toMatch(/^\s+0\s+100000\s+65536\n\s+0\s+100000\s+65536\nuid=0\(root\) gid=0\(root\)/);
    expect(r.berth.stdout).toBe(r.runc.stdout);
    // seen from the host: created by uid 100000
    const files = fs.readdirSync(shared);
    expect(files).toHaveLength(1); // both created made-by-1-1
    expect(fs.statSync(path.join(shared, files[0]!))).toMatchObject({ uid: 100000, gid: 100000 });
  });
});

describe('root and mounts', () => {
  it('makes the root read-only with root.readonly and writable without', () => {
    expect(sh('touch /x 2>&1; echo $?')).toBe('touch: /x: Read-only file system\n1\n');
    expect(sh('touch /x && echo ok', (s) => { s.root!.readonly = false; })).toBe('ok\n');
  });

  it('mounts proc, sysfs, a sized tmpfs with a mode, devpts, mqueue and the cgroup tree', () => {
    const out = sh(
      "awk '{for (i = 7; i < NF; i++) if ($i == \"-\") print $5, $(i + 1)}' /proc/self/mountinfo | sort; stat -c '%a' /t; df -k /t | tail -1 | awk '{print $2}'; cat /proc/1/comm; ls /sys/class | grep -c net; cat /sys/fs/cgroup/memory/memory.limit_in_bytes",
      (s) => {
        s.mounts!.push({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['size=1m', 'mode=1700'] });
        s.linux!.resources = { ...s.linux!.resources, memory: { limit: 48 << 20 } };
      },
    );
    for (const m of ['/proc proc', '/sys sysfs', '/dev tmpfs', '/dev/pts devpts', '/dev/mqueue mqueue', '/dev/shm tmpfs', '/sys/fs/cgroup tmpfs', '/sys/fs/cgroup/memory cgroup', '/t tmpfs'])
      expect(out).toContain(`${m}\n`);
    // mode, size in KiB, our pid namespace's /proc (pid 1 is our sh), sysfs content, the container's own memory limit
    expect(out).toMatch(/\n1700\n1024\nsh\n1\n50331648\n$/);
  });

  it('binds with ro, nosuid, nodev, noexec; rbind brings submounts, bind does not', () => {
    const src = fs.mkdtempSync(path.join(tmp, 'src-'));
    fs.mkdirSync(path.join(src, 'sub'));
    fs.writeFileSync(path.join(src, 'prog'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', path.join(src, 'sub')]);
    try {
      fs.writeFileSync(path.join(src, 'sub', 'in-submount'), '');
      const out = sh(
        "awk '$5 ~ /^\\/(b|r)(\\/|$)/ {print $5, $6}' /proc/self/mountinfo; ls /b/sub /r/sub; touch /b/x 2>&1; /b/prog 2>&1; echo exec=$?; /r/prog; echo exec=$?",
        (s) => {
          s.mounts!.push(
            { destination: '/b', type: 'bind', source: src, options: ['bind', 'ro', 'nosuid', 'nodev', 'noexec'] },
            { destination: '/r', type: 'bind', source: src, options: ['rbind', 'rw'] },
          );
        },
      );
      expect(out).toMatch(/^\/b ro,nosuid,nodev,noexec,relatime\n\/r rw,relatime\n\/r\/sub rw,relatime\n/);
      expect(out).toContain('/r/sub:\nin-submount\n');
      expect(out).toContain('touch: /b/x: Read-only file system\n');
      expect(out).toContain('sh: /b/prog: Permission denied\nexec=126\nexec=0\n');
    } finally {
      execFileSync('umount', [path.join(src, 'sub')]);
    }
  });

  it('applies mount propagation options and rootfsPropagation (shared needs a private parent), like runc', () => {
    const src = fs.mkdtempSync(path.join(tmp, 'prop-'));
    const r = runBoth(pair, ['cat', '/proc/self/mountinfo'], (s) => {
      s.linux!.rootfsPropagation = 'shared';
      s.mounts!.push(
        { destination: '/sh', type: 'bind', source: src, options: ['rbind', 'rshared'] },
        { destination: '/sl', type: 'bind', source: src, options: ['rbind', 'rslave'] },
        { destination: '/pr', type: 'bind', source: src, options: ['rbind', 'rprivate'] },
        { destination: '/ub', type: 'bind', source: src, options: ['rbind', 'runbindable'] },
      );
    });
    expect(r.berth.stderr).toBe('');
    const mounts = normaliseMountinfo(r.berth.stdout);
    const line = (d: string) => mounts.find((l) => l.split(' ')[1] === d) ?? '';
    expect(line('/sh')).toMatch(/ shared - /);
    expect(line('/sl')).not.toMatch(/ shared /);
    expect(line('/pr')).toMatch(/relatime - /);
    expect(line('/ub')).toMatch(/ unbindable - /);
    expect(mounts).toEqual(normaliseMountinfo(r.runc.stdout).map((l) => l.replace(/^(\/ \/sys\/fs\/cgroup) rw,(.*) - tmpfs tmpfs rw,/, '$1 ro,$2 - tmpfs tmpfs ro,')));
  });

  it('masks paths (files read empty, directories are empty) and makes readonlyPaths read-only, like runc', () => {
    const r = runBoth(
      pair,
      ['sh', '-c', 'wc -c < /proc/keys; ls -A /etc | wc -l; cat /etc/passwd 2>&1; touch /tmp/x 2>&1; { echo 1 > /proc/sys/kernel/ns_last_pid; } 2>&1; echo done'],
      (s) => {
        s.root!.readonly = false;
        s.linux!.maskedPaths!.push('/etc', '/no/such/path');
        s.linux!.readonlyPaths!.push('/tmp');
      },
    );
    expect(r.berth.stdout).toBe('0\n0\ncat: can\'t open \'/etc/passwd\': No such file or directory\ntouch: /tmp/x: Read-only file system\nsh: can\'t create /proc/sys/kernel/ns_last_pid: Read-only file system\ndone\n');
    expect(r.berth.stdout).toBe(r.runc.stdout);
    // /proc/kcore, the classic masked path, does not exist on this kernel (no CONFIG_PROC_KCORE): masking skips it
    expect(fs.existsSync('/proc/kcore')).toBe(false);
  });
});

describe('devices, hostname and domainname', () => {
  it('creates linux.devices nodes with major:minor, mode and owner; access follows the cgroup rules', () => {
    const fuse = { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 7, gid: 8 };
    const probe = "stat -c '%F %t:%T %a %u:%g' /dev/fuse; head -c 0 /dev/fuse 2>&1 && echo opened";
    // runc's default spec denies every device but the defaults: the node exists, opening it is EPERM
    const denied = runBoth(pair, ['sh', '-c', probe], (s) => { s.linux!.devices = [fuse]; });
    expect(denied.berth.stdout).toBe("character special file a:e5 666 7:8\nhead: /dev/fuse: Operation not permitted\n");
    expect(denied.berth.stdout).toBe(denied.runc.stdout);
    const allowed = runBoth(pair, ['sh', '-c', probe], (s) => {
      s.linux!.devices = [fuse];
      s.linux!.resources!.devices!.push({ allow: true, type: 'c', major: 10, minor: 229, access: 'rw' });
    });
    expect(allowed.berth.stdout).toBe('character special file a:e5 666 7:8\nopened\n');
    expect(allowed.berth.stdout).toBe(allowed.runc.stdout);
  });

  it('gives /dev the default nodes and the fd, stdin, stdout, stderr and ptmx links', () => {
    const out = sh("for f in null zero full tty random urandom fd stdin stdout stderr ptmx; do stat -c '%n %F %t:%T %a %N' /dev/$f; done");
    expect(out.split('\n')).toEqual([
      '/dev/null character special file 1:3 666 /dev/null',
      '/dev/zero character special file 1:5 666 /dev/zero',
      '/dev/full character special file 1:7 666 /dev/full',
      '/dev/tty character special file 5:0 666 /dev/tty',
      '/dev/random character special file 1:8 666 /dev/random',
      '/dev/urandom character special file 1:9 666 /dev/urandom',
      '/dev/fd symbolic link 0:0 777 \'/dev/fd\' -> \'/proc/self/fd\'',
      '/dev/stdin symbolic link 0:0 777 \'/dev/stdin\' -> \'/proc/self/fd/0\'',
      '/dev/stdout symbolic link 0:0 777 \'/dev/stdout\' -> \'/proc/self/fd/1\'',
      '/dev/stderr symbolic link 0:0 777 \'/dev/stderr\' -> \'/proc/self/fd/2\'',
      '/dev/ptmx symbolic link 0:0 777 \'/dev/ptmx\' -> \'pts/ptmx\'',
      '',
    ]);
  });

  it('sets hostname and domainname in the new uts namespace', () => {
    const mutate = (s: Spec) => {
      s.hostname = 'berth-host';
      s.domainname = 'example.org';
    };
    expect(sh('hostname; cat /proc/sys/kernel/domainname', mutate)).toBe('berth-host\nexample.org\n');
    // runc 1.1.5 predates the domainname field (runc 1.2 added it) and leaves "(none)"
    const r = runBoth(pair, ['sh', '-c', 'hostname; cat /proc/sys/kernel/domainname'], mutate);
    expect(r.runc.stdout).toBe('berth-host\n(none)\n');
  });
});
