/**
 * The management scenario table (exec / logs / ps / inspect / top / diff /
 * rename / update / export / cp / commit / stats / prune): each step run by
 * the real docker CLI and by berth against one daemon and compared. Used
 * against a real dockerd (containers-manage.test.ts) and berthd
 * (containers-berthd.test.ts).
 */
import path from 'node:path';
import type { Scenario, Target } from './containers-compare.js';

export const img = `busybox:m${process.pid}`;
export const none = ['--network', 'none'];
/** ps rows of this side only (both sides' containers live on the same daemon). */
const mine = (n: (x: string) => string) => ['--filter', `name=${n('')}`];
/** Pids and clock times in `top` differ between any two containers. */
const tidyTop = (s: string) => s.replace(/\b\d+\b/g, 'N').replace(/N:N(:N)?/g, 'T').replace(/ +/g, ' ');

export function manageCases(t: Target): Record<string, Scenario[]> {
  const out = (n: (x: string) => string, f: string) => path.join(t.dir, `${n('out')}-${f}`);
  const local = path.join(t.dir, 'local.txt');
  return {
    exec: [
      { args: (n) => ['run', '-d', '--name', n('ex'), ...none, img, 'sleep', '300'] },
      { args: (n) => ['exec', n('ex'), 'sh', '-c', 'echo out; echo err >&2; exit 4'] },
      { args: (n) => ['exec', '-e', 'X=1', '-w', '/tmp', '-u', '5:6', n('ex'), 'sh', '-c', 'echo $X $(pwd) $(id -u):$(id -g)'] },
      { args: (n) => ['exec', n('ex'), 'ls', '-l', '-d', '/etc'] },
      { args: (n) => ['exec', '-i', n('ex'), 'sh', '-c', 'cat; echo eof'], input: 'piped in\n' },
      { args: (n) => ['exec', n('ex'), 'nosuch'] },
      { args: (n) => ['exec', n('ex'), '/etc'] },
      { args: (n) => ['exec', '-d', n('ex'), 'sh', '-c', 'echo bg > /tmp/bg'] },
      { args: (n) => ['exec', n('nosuch'), 'true'] },
      { args: (n) => ['container', 'exec', '--privileged', n('ex'), 'sh', '-c', 'grep -c . /proc/self/status >/dev/null && echo ok'] },
      { args: (n) => ['run', '--name', n('exd'), ...none, img, 'true'] },
      { args: (n) => ['exec', n('exd'), 'true'] },
    ],
    logs: [
      // stdout and stderr reach the log through two pipes: only a pause makes their order certain
      { args: (n) => ['run', '--name', n('lg'), ...none, img, 'sh', '-c', 'echo err 0 >&2; sleep 0.3; for i in 1 2 3 4 5; do echo out $i; done; sleep 0.3; echo err 6 >&2'] },
      { args: (n) => ['logs', n('lg')] },
      { args: (n) => ['logs', '--tail', '2', n('lg')] },
      { args: (n) => ['logs', '-n', '0', n('lg')] },
      { args: (n) => ['logs', '-t', '--tail', '1', n('lg')] },
      { args: (n) => ['logs', '--since', '1h', '--until', '2030-01-01T00:00:00Z', n('lg')] },
      { args: (n) => ['logs', '-f', n('lg')] },
      { args: (n) => ['logs', n('nosuch')] },
      { args: (n) => ['run', '-t', '--name', n('lgt'), ...none, img, 'sh', '-c', 'echo on a tty'] },
      { args: (n) => ['logs', n('lgt')] },
    ],
    ps: [
      { args: (n) => ['run', '-d', '--name', n('ps1'), ...none, '-l', 'a=b', '-l', 'c=d', img, 'sleep', '300'] },
      { args: (n) => ['create', '--name', n('ps2'), ...none, img, 'sh', '-c', 'echo a long command line that is cut'] },
      { args: (n) => ['ps', ...mine(n)] },
      { args: (n) => ['ps', '-a', ...mine(n)] },
      { args: (n) => ['ps', '-a', '--no-trunc', ...mine(n)] },
      { args: (n) => ['ps', '-aq', ...mine(n)] },
      { args: (n) => ['ps', '-a', '-s', ...mine(n)] },
      { args: (n) => ['ps', '-a', '--format', 'json', ...mine(n)] },
      { args: (n) => ['ps', '-a', '--format', '{{.Names}}: {{.Status}} {{.State}} {{.Labels}} {{.Networks}} {{.Command}}', ...mine(n)] },
      { args: (n) => ['ps', '-a', '--format', '{{.Names}} [{{.Label "a"}}] [{{.Label "zz"}}]', ...mine(n)] },
      { args: (n) => ['ps', '-a', '--format', 'table {{.ID}}\\t{{.Names}}\\t{{.Size}}\\t{{.RunningFor}}\\t{{.CreatedAt}}', ...mine(n)] },
      { args: (n) => ['ps', '-a', '--filter', 'status=created', ...mine(n)] },
      { args: (n) => ['container', 'ls', '-a', '--filter', 'label=a=b', ...mine(n)] },
      { args: (n) => ['container', 'list', '-n', '1', '-q', ...mine(n)] },
      { args: (n) => ['ps', '--format', '{{.Nope', ...mine(n)] },
      { args: (n) => ['rm', '-f', n('ps1'), n('ps2')] },
    ],
    inspect: [
      { args: (n) => ['run', '--name', n('in'), ...none, '-e', 'Z=<&>', img, 'true'] },
      { args: (n) => ['inspect', n('in')], tidy: (s) => s.replace(/"(Pid|Hostname|HostnamePath|HostsPath|ResolvConfPath|LogPath|MergedDir|UpperDir|WorkDir|LowerDir)": .*/g, '"$1": <x>') },
      { args: (n) => ['inspect', '-f', '{{.Name}} {{.State.ExitCode}} {{.SizeRw}} {{json .Config.Env}}', n('in')] },
      { args: (n) => ['inspect', '-f', '{{.Id}}', n('in'), img] },
      { args: (n) => ['inspect', '-s', '-f', '{{.SizeRw}}', n('in')] },
      { args: (n) => ['inspect', '--type', 'image', '-f', '{{.Config.Cmd}}', img] },
      { args: (n) => ['inspect', '--type', 'container', img] },
      { args: (n) => ['inspect', '--type', 'nope', img] },
      { args: (n) => ['inspect', n('nosuch')] },
      { args: (n) => ['inspect', '-f', '{{.Name}}', n('nosuch')] },
      { args: (n) => ['container', 'inspect', n('nosuch'), n('in'), '-f', '{{.Name}}'] },
      { args: (n) => ['rm', n('in')] },
    ],
    'top, diff, rename, update, stats': [
      { args: (n) => ['run', '-d', '--name', n('tp'), ...none, img, 'sh', '-c', 'mkdir /newdir; rm /bin/true; exec sleep 300'] },
      { args: (n) => ['top', n('tp')], tidy: tidyTop },
      { args: (n) => ['top', n('tp'), '-o', 'pid,comm'], tidy: tidyTop },
      // dockerd 20.10 lists changes in its walk order, which varies; compare them as sets
      { args: (n) => ['diff', n('tp')], tidy: (s) => s.split('\n').sort().join('\n') },
      { args: (n) => ['rename', n('tp'), n('tp2')] },
      { args: (n) => ['rename', n('nosuch'), n('tp3')] },
      { args: (n) => ['update', '--cpu-shares', '512', '--pids-limit', '99', n('tp2'), n('nosuch')] },
      { args: (n) => ['inspect', '-f', '{{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}}', n('tp2')] },
      { args: (n) => ['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}} {{.Container}}', n('tp2')] },
      { args: (n) => ['port', n('tp2')] },
      { args: (n) => ['rm', '-f', n('tp2')] },
    ],
    'published and exposed ports (not bound: no bridge here)': [
      { args: (n) => ['create', '--name', n('pt'), '--network', 'host', '-p', '127.0.0.1:18080:80', '-p', '9000-9001:90-91/udp', '-p', '5000', '--expose', '7000-7001', img, 'true'] },
      { args: (n) => ['inspect', '-f', '{{json .HostConfig.PortBindings}} {{json .Config.ExposedPorts}}', n('pt')] },
      { args: (n) => ['port', n('pt')] },
      { args: (n) => ['run', '--rm', ...none, '-p', 'x:80', img, 'true'] },
      { args: (n) => ['rm', n('pt')] },
    ],
    'export, cp and commit': [
      { args: (n) => ['run', '-d', '--name', n('cp'), ...none, img, 'sh', '-c', 'echo inside > /tmp/f; mkdir -p /tmp/d; echo x > /tmp/d/y; exec sleep 300'] },
      { args: (n) => ['exec', n('cp'), 'sh', '-c', 'while [ ! -f /tmp/d/y ]; do sleep 0.1; done'] },
      { args: (n) => ['cp', `${n('cp')}:/tmp/f`, out(n, 'f')] },
      { args: (n) => ['cp', `${n('cp')}:/tmp/d`, out(n, 'd')] },
      { args: (n) => ['cp', `${n('cp')}:/nosuch`, out(n, 'x')] },
      { args: (n) => ['cp', local, `${n('cp')}:/tmp/`] },
      { args: (n) => ['cp', local, `${n('cp')}:/tmp/renamed.txt`] },
      { args: (n) => ['cp', local, `${n('cp')}:/nosuchdir/x`] },
      { args: (n) => ['exec', n('cp'), 'sh', '-c', 'cat /tmp/local.txt /tmp/renamed.txt'] },
      { args: () => ['cp', 'a', 'b'] },
      { args: (n) => ['export', '-o', out(n, 'export.tar'), n('cp')] },
      { args: (n) => ['export', '-o', out(n, 'no.tar'), n('nosuch')] },
      { args: (n) => ['commit', '-m', 'msg', '-a', 'me', '-c', 'ENV FROM_COMMIT=1', n('cp'), `${n('img')}:1`], tidy: (s) => s.replace(/sha256:[0-9a-f]{64}/, 'sha256:<id>') },
      { args: (n) => ['inspect', '-f', '{{.Comment}} {{.Author}} {{.Config.Env}}', `${n('img')}:1`] },
      { args: (n) => ['rm', '-f', n('cp')] },
    ],
  };
}

