/**
 * The `run` scenario table (run / create / start / attach / wait / rm / stop /
 * kill): each step is run by the real docker CLI and by berth against one
 * daemon and compared. Used against a real dockerd (containers-run.test.ts)
 * and against berthd (containers-berthd.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Scenario, Target } from './containers-compare.js';

export const img = `busybox:c${process.pid}`;
export const none = ['--network', 'none'];

/** The files the cases use, in the target's scratch dir. */
export function prepareRunFiles(t: Target): void {
  fs.writeFileSync(path.join(t.dir, 'env.list'), '# comment\nFROM_FILE=yes\nSPACED=a b\n');
  fs.mkdirSync(path.join(t.dir, 'bind'), { recursive: true });
  fs.writeFileSync(path.join(t.dir, 'bind', 'hello.txt'), 'from the host\n');
}

/** Named cases, each a list of steps both clients go through in turn. */
export function runCases(t: Target): Record<string, Scenario[]> {
  const envFile = path.join(t.dir, 'env.list');
  const bindDir = path.join(t.dir, 'bind');
  return {
    'output, stderr and exit status': [{ args: () => ['run', '--rm', ...none, img, 'sh', '-c', 'echo out; echo err >&2; exit 3'] }],
    'the command is passed as is, flags included': [{ args: () => ['run', '--rm', ...none, img, 'ls', '-l', '-d', '/bin'] }],
    'a missing command exits 127, one that cannot run 126': [
      { args: () => ['run', '--rm', ...none, img, 'nosuch'] },
      { args: () => ['run', '--rm', ...none, img, '/etc'] },
    ],
    'a missing image with --pull never exits 125': [{ args: () => ['run', '--rm', '--pull', 'never', ...none, `nosuch-${process.pid}`, 'true'] }],
    'usage errors': [
      { args: () => ['run', '--bogus', img] },
      { args: () => ['run', '--rm', '--restart', 'always', ...none, img, 'true'] },
      { args: () => ['run', '-d', '-a', 'stdout', ...none, img, 'true'] },
      { args: () => ['run', '-it', '--rm', ...none, img, 'true'] },
    ],
    'config flags reach the container': [
      {
        args: () => [
          'run', '--rm', ...none, '-e', 'A=1', '--env', 'B=two words', '--env-file', envFile, '-w', '/tmp', '-u', '1:2', '-h', 'hh',
          img, 'sh', '-c', 'echo "$A|$B|$FROM_FILE|$SPACED|$(pwd)|$(id -u):$(id -g)|$(hostname)"',
        ],
      },
      { args: () => ['run', '--rm', ...none, '--entrypoint', 'echo', img, 'via', 'entrypoint'] },
      { args: () => ['run', '--rm', ...none, '--read-only', '--tmpfs', '/scratch', img, 'sh', '-c', 'touch /x 2>/dev/null || echo ro; touch /scratch/y && echo tmpfs ok'] },
      { args: () => ['run', '--rm', ...none, '-v', `${bindDir}:/data:ro`, img, 'cat', '/data/hello.txt'] },
      { args: () => ['run', '--rm', ...none, '--mount', `type=bind,source=${bindDir},target=/m,readonly`, img, 'sh', '-c', 'cat /m/hello.txt; touch /m/z 2>/dev/null || echo readonly'] },
      { args: () => ['run', '--rm', ...none, '--ulimit', 'nofile=512:1024', '--pids-limit', '50', '-m', '64m', '--cpus', '0.5', '--cpu-shares', '512', img, 'sh', '-c', 'ulimit -n; ulimit -Hn'] },
      { args: () => ['run', '--rm', ...none, '--cap-drop', 'ALL', '--cap-add', 'CHOWN', '--security-opt', 'no-new-privileges', img, 'sh', '-c', 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'] },
      { args: () => ['run', '--rm', ...none, '--privileged', img, 'sh', '-c', 'grep CapEff /proc/self/status'] },
      { args: () => ['run', '--rm', '--network', 'host', '--init', img, 'sh', '-c', 'cat /proc/1/comm'] },
    ],
    'stdin with -i, and -a picking the streams': [
      { args: () => ['run', '--rm', '-i', ...none, img, 'sh', '-c', 'cat; echo done'], input: 'line one\nline two\n' },
      { args: () => ['run', '--rm', '-a', 'stdout', ...none, img, 'sh', '-c', 'echo shown; echo hidden >&2'] },
      { args: () => ['run', '--rm', '-a', 'stderr', ...none, img, 'sh', '-c', 'echo hidden; echo shown >&2'] },
    ],
    'detached run, then inspect, logs, stop and rm': [
      { args: (n) => ['run', '-d', '--name', n('det'), ...none, '-l', 'k=v', '--stop-signal', 'SIGKILL', img, 'sh', '-c', 'echo started; exec sleep 300'] },
      { args: (n) => ['inspect', '-f', '{{.Name}} {{.State.Status}} {{.Config.Labels.k}} {{.Config.StopSignal}} {{json .Config.Cmd}}', n('det')] },
      { args: (n) => ['logs', n('det')] },
      { args: (n) => ['stop', n('det'), n('nosuch')] },
      { args: (n) => ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', n('det')] },
      { args: (n) => ['rm', n('det'), n('nosuch')] },
      { args: (n) => ['rm', '-f', n('nosuch')] },
    ],
    'create, start -a, wait, rm -v': [
      { args: (n) => ['create', '--name', n('cr'), ...none, img, 'sh', '-c', 'echo created-run; exit 5'] },
      { args: (n) => ['inspect', '-f', '{{.State.Status}}', n('cr')] },
      { args: (n) => ['start', '-a', n('cr')] },
      { args: (n) => ['wait', n('cr'), n('nosuch')] },
      { args: (n) => ['start', n('cr'), n('nosuch')] },
      { args: (n) => ['start', '-a', n('cr'), n('nosuch')] },
      { args: (n) => ['rm', '-v', '-f', n('cr')] },
      { args: (n) => ['create', '--pull', 'never', ...none, `nosuch-${process.pid}`] },
    ],
    'kill with a signal, restart, pause and unpause': [
      // as pid 1, sh ignores SIGTERM unless it traps it
      { args: (n) => ['run', '-d', '--name', n('k'), ...none, img, 'sh', '-c', 'trap "exit 9" TERM; while true; do sleep 0.1; done'] },
      { args: (n) => ['pause', n('k'), n('nosuch')] },
      { args: (n) => ['inspect', '-f', '{{.State.Status}}', n('k')] },
      { args: (n) => ['unpause', n('k')] },
      { args: (n) => ['unpause', n('k')] },
      { args: (n) => ['restart', '-t', '0', n('k')] },
      { args: (n) => ['kill', '-s', 'SIGTERM', n('k'), n('nosuch')] },
      { args: (n) => ['wait', n('k')] },
      { args: (n) => ['kill', n('k')] },
      { args: (n) => ['kill', '-s', 'NOPE', n('k')] },
      { args: (n) => ['container', 'rm', n('k')] },
    ],
    '--rm removes the container once it exits': [
      { args: (n) => ['run', '--rm', '--name', n('gone'), ...none, img, 'true'] },
      { args: (n) => ['inspect', '-f', '{{.Name}}', n('gone')] },
    ],
    'attach to a running container and to a stopped one': [
      { args: (n) => ['run', '-d', '--name', n('att'), ...none, img, 'sh', '-c', 'sleep 3; echo attached-out; echo attached-err >&2; exit 7'] },
      { args: (n) => ['attach', n('att')] },
      { args: (n) => ['attach', n('att')] },
      { args: (n) => ['rm', n('att')] },
    ],
    'the container management command': [
      { args: (n) => ['container', 'run', '--name', n('mg'), ...none, img, 'echo', 'managed'] },
      { args: (n) => ['container', 'inspect', '-f', '{{.State.ExitCode}}', n('mg'), n('nosuch')] },
      { args: (n) => ['container', 'rm', n('mg')] },
    ],
  };
}

