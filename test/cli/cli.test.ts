/**
 * The berth CLI judged against the real thing: a private dockerd 20.10 (socket,
 * data root, exec root, pid file and config in a temp dir; no bridge, no
 * iptables, so the host network is left alone), queried by bin/berth and by
 * the real docker CLI, whose outputs must match. Plus the daemon-not-running
 * error, host precedence, and docker's usage errors.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd } from '../helpers/daemon.js';
import { dockerCli, startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { berth, berthBin, cleanEnv } from './run-berth.js';

const built = fs.existsSync(berthBin);
const available = built && process.getuid?.() === 0 && haveBinaries('dockerd', dockerCli, 'containerd');

describe.skipIf(!available)('berth against a real dockerd 20.10, beside the real docker CLI', () => {
  let d: RealDockerd | undefined;
  let tmp: string;
  let sock: string;
  let env: NodeJS.ProcessEnv;

  const docker = (args: string[]) => runCmd(dockerCli, args, { env });
  /** The same question to docker and to berth: both must succeed with the same output. */
  const expectSameOutput = async (args: string[]) => {
    const want = docker(args);
    expect(want.status, want.stderr).toBe(0);
    const got = await berth(args, env);
    expect(got.status, got.stderr).toBe(0);
    expect(got.stdout).toBe(want.stdout);
    return got.stdout;
  };

  beforeAll(async () => {
    d = await startRealDockerd();
    tmp = d.dir;
    sock = d.socket;
    env = cleanEnv({ DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: d.env.DOCKER_CONFIG });
  });

  afterAll(async () => {
    await d?.stop();
  });

  it('negotiates the API version as docker does', async () => {
    expect(await expectSameOutput(['version', '--format', '{{.Server.APIVersion}}'])).toBe('1.41\n');
    const client = await berth(['version', '--format', '{{.Client.APIVersion}} {{.Client.DefaultAPIVersion}}'], env);
    expect(client.stdout).toBe('1.41 1.45\n');
  });

  it('reads info and version fields with --format like docker', async () => {
    expect(await expectSameOutput(['info', '--format', '{{.ServerVersion}}'])).toMatch(/^20\.10\./);
    expect(await expectSameOutput(['version', '--format', '{{json .Server.Components}}'])).toMatch(/^\[\{"Name":"Engine"/);
    await expectSameOutput(['system', 'info', '--format', '{{.Driver}} {{.NCPU}} {{json .Plugins.Volume}} {{range .SecurityOptions}}{{.}};{{end}}']);
    await expectSameOutput(['version', '--format', '{{range .Server.Components}}{{.Name | upper}}={{.Version}} {{end}}']);
  });

  it('prints docker\'s version and info pages', async () => {
    const want = docker(['version']);
    const got = await berth(['version'], env);
    expect(got.status, got.stderr).toBe(0);
    // the Server: part is the daemon's; the Client: part is berth's own
    expect(got.stdout.slice(got.stdout.indexOf('\nServer:'))).toBe(want.stdout.slice(want.stdout.indexOf('\nServer:')));
    expect(got.stdout).toMatch(/^Client:\n Version: {11}0\.1\.0\n API version: {7}1\.41 \(downgraded from 1\.45\)\n/);

    const info = await berth(['info'], env);
    const dockerInfo = docker(['info']);
    expect(info.status, info.stderr).toBe(0);
    // docker prints Runtimes in Go's random map order; berth sorts them
    const sortRuntimes = (l: string) => (l.startsWith(' Runtimes: ') ? ` Runtimes: ${l.slice(11).split(' ').sort().join(' ')}` : l);
    const serverPart = (s: string) => s.slice(s.indexOf('\nServer:')).split('\n').map(sortRuntimes);
    expect(serverPart(info.stdout)).toEqual(serverPart(dockerInfo.stdout));
    expect(info.stderr).toBe(dockerInfo.stderr);
  });

  it('shows the daemon\'s error message and exits 1 like docker', async () => {
    const tooNew = { ...env, DOCKER_API_VERSION: '1.99' };
    const args = ['version', '--format', '{{.Server.Version}}'];
    const want = runCmd(dockerCli, args, { env: tooNew });
    const got = await berth(args, tooNew);
    expect(want.status).toBe(1);
    expect(got.status).toBe(1);
    expect(got.stderr).toBe('Error response from daemon: client version 1.99 is too new. Maximum supported API version is 1.41\n');
    expect(got.stderr).toBe(want.stderr);
    expect(got.stdout).toBe(want.stdout);
  });

  it('takes the address from -H, then BERTH_HOST, then DOCKER_HOST', async () => {
    const nowhere = `unix://${tmp}/nowhere.sock`;
    const viaBerthHost = await berth(['version', '--format', '{{.Server.Version}}'], { ...env, DOCKER_HOST: nowhere, BERTH_HOST: `unix://${sock}` });
    expect(viaBerthHost.status, viaBerthHost.stderr).toBe(0);
    expect(viaBerthHost.stdout).toMatch(/^20\.10\./);
    const viaFlag = await berth(['-H', `unix://${sock}`, 'info', '--format', '{{.ServerVersion}}'], { ...env, BERTH_HOST: nowhere });
    expect(viaFlag.status, viaFlag.stderr).toBe(0);
    const flagAfter = await berth(['version', '-H', `unix://${sock}`, '--format', '{{.Server.Version}}'], { ...env, BERTH_HOST: nowhere });
    expect(flagAfter.status, flagAfter.stderr).toBe(0);
    const wrong = await berth(['version', '--format', '{{.Server.Version}}'], { ...env, BERTH_HOST: nowhere });
    expect(wrong.status).toBe(1);
  });
});

describe.skipIf(!built)('berth without a daemon, and its usage errors', () => {
  const missing = `unix:///tmp/berth-no-such-${process.pid}.sock`;

  it('says the daemon is not running and exits 1', async () => {
    const info = await berth(['info', '--format', '{{.ServerVersion}}'], cleanEnv({ DOCKER_HOST: missing }));
    expect(info.status).toBe(1);
    expect(info.stdout).toBe('');
    expect(info.stderr).toBe(`Cannot connect to the berth daemon at ${missing}. Is the berth daemon running?\n`);
    // like docker version: the client part first, then the error
    const version = await berth(['version'], cleanEnv({ DOCKER_HOST: missing }));
    expect(version.status).toBe(1);
    expect(version.stdout).toMatch(/^Client:\n Version: +0\.1\.0\n API version: +1\.45\n/);
    expect(version.stderr).toBe(`Cannot connect to the berth daemon at ${missing}. Is the berth daemon running?\n`);
  });

  it('answers an unknown command, flag or argument in docker\'s words', async () => {
    const env = cleanEnv({ DOCKER_HOST: missing });
    const unknown = await berth(['foo'], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe("berth: unknown command: berth foo\n\nRun 'berth --help' for more information\n");
    const flag = await berth(['version', '--nope'], env);
    expect(flag.status).toBe(125);
    expect(flag.stderr).toBe("unknown flag: --nope\n\nUsage:  berth version [OPTIONS]\n\nRun 'berth version --help' for more information\n");
    const extra = await berth(['version', 'extra'], env);
    expect(extra.status).toBe(1);
    expect(extra.stderr).toMatch(/^berth: 'berth version' accepts no arguments\n/);
    const badTemplate = await berth(['version', '--format', '{{.Client.Version'], env);
    // refused before any request, with docker's status 64
    expect(badTemplate.status).toBe(64);
    expect(badTemplate.stderr).toBe('template parsing error: template: unclosed action\n');
  });

  it('prints help shaped like docker\'s', async () => {
    const help = await berth(['--help'], cleanEnv());
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: {2}berth \[OPTIONS\] COMMAND\n\nA self-sufficient runtime for containers\n\nCommands:\n/);
    expect(help.stdout).toMatch(/\n {2}version {5}Show the Berth version information\n/);
    expect(help.stdout).toMatch(/\nManagement Commands:\n {2}system {6}Manage Berth\n/);
    expect(help.stdout).toMatch(/\nGlobal Options:\n(.*\n)* {2}-H, --host list {10}Daemon socket to connect to\n/);
    expect(help.stdout).toMatch(/\nRun 'berth COMMAND --help' for more information on a command\.\n$/);
    const info = await berth(['system', 'info', '--help'], cleanEnv());
    expect(info.stdout).toMatch(/^Usage: {2}berth system info \[OPTIONS\]\n\nDisplay system-wide information\n\nAliases:\n {2}berth system info, berth info\n\nOptions:\n {2}-f, --format string {3}Format output/);
  });
});
