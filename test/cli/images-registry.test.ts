/**
 * berth pull, history, save, import and image prune against berthd (images
 * pulled from a real registry on 127.0.0.1), compared with the real docker
 * CLI 28 at the same daemon: stdout, stderr and exit status. Pull's per-layer
 * lines come in an order that depends on timing, so those are compared as
 * sets; everything else line for line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd, runOnPty } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { tempDir } from '../containerd/daemons.js';
import { startRegistry, type Registry } from '../containerd/storage.js';
import { dockerCli, startBerthd, type Berthd } from '../dockerd/berthd.js';
import { pushTestImages, type Pushed } from '../dockerd/images-fixtures.js';
import { berth, berthBin, cleanEnv } from './run-berth.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'docker-registry', 'skopeo', 'script') &&
  fs.existsSync(bin('berthd')) && fs.existsSync(berthBin) && fs.existsSync(busyboxRootfs);

const norm = (s: string): string => s.replace(/\d+ (seconds|minutes|hours|days|weeks|months|years) ago|About an? \w+ ago|Less than a second ago/g, 'N ago');

describe.skipIf(!available)('berth pull/history/save/import/prune judged by docker 28', () => {
  let d: Berthd;
  let env: NodeJS.ProcessEnv;
  let registry: Registry;
  let dir: string;
  let images: { oci: Pushed; schema2: Pushed; index: Pushed; armConfig: string };

  beforeAll(async () => {
    dir = tempDir('cliimg');
    registry = await startRegistry(dir);
    images = await pushTestImages(dir, registry.host);
    d = await startBerthd();
    env = cleanEnv({ BERTH_HOST: `unix://${d.socket}` });
  }, 180_000);

  afterAll(async () => {
    await d?.stop();
    await registry?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function same(args: string[], opts: { sortLines?: boolean; timeoutMs?: number } = {}): Promise<string> {
    const want = d.docker(args, opts.timeoutMs);
    const got = await berth(args, env, opts.timeoutMs);
    const tidy = (s: string) => (opts.sortLines ? norm(s).split('\n').sort().join('\n') : norm(s));
    expect({ args, status: got.status, stdout: tidy(got.stdout), stderr: got.stderr }).toEqual({
      args, status: want.status, stdout: tidy(want.stdout), stderr: want.stderr,
    });
    return got.stdout;
  }

  it('pull: the same lines as docker\'s, fresh and up to date', async () => {
    const got = await berth(['pull', images.oci.ref], env, 120_000);
    expect(got.status, got.stderr).toBe(0);
    expect(d.docker(['rmi', images.oci.ref]).status).toBe(0);
    const want = d.docker(['pull', images.oci.ref], 120_000);
    expect(want.status, want.stderr).toBe(0);
    const sorted = (s: string) => s.split('\n').sort();
    expect(sorted(got.stdout)).toEqual(sorted(want.stdout));
    expect(got.stdout).toContain('Pull complete');
    await same(['pull', images.oci.ref], { timeoutMs: 60_000 });
    await same(['pull', '-q', images.schema2.ref], { timeoutMs: 60_000 });
    // a pull changes what the next one says: pull first, then compare the up-to-date answers
    expect((await berth(['pull', '--platform', 'linux/amd64', images.index.ref], env, 120_000)).status).toBe(0);
    await same(['pull', '--platform', 'linux/amd64', images.index.ref], { timeoutMs: 60_000 });
  });

  it('pull errors', async () => {
    await same(['pull', `${registry.host}/multi:nope`]);
    await same(['pull', `${registry.host}/Multi`]);
    await same(['pull', `${registry.host}/nothing/here`]);
    await same(['pull', '127.0.0.1:1/x:y']);
  });

  it('pull on a terminal draws docker\'s progress lines', async () => {
    expect(d.docker(['rmi', images.schema2.ref, images.oci.ref, images.index.ref]).status).toBe(0);
    const r = runOnPty([berthBin, 'pull', images.schema2.ref], { env, timeoutMs: 120_000 });
    expect(r.status, r.stdout).toBe(0);
    // every layer line is redrawn in place: erase-line and carriage return, cursor moves
    expect(r.stdout).toContain('\x1b[2K\r');
    expect(r.stdout).toMatch(/[0-9a-f]{12}: Pull complete/);
    expect(r.stdout).toContain(`Status: Downloaded newer image for ${images.schema2.ref}`);
  });

  it('history: table, --no-trunc, -H=false, -q, --format', async () => {
    await same(['history', images.schema2.ref]);
    await same(['history', '--no-trunc', images.schema2.ref]);
    await same(['history', '--human=false', images.schema2.ref]);
    await same(['history', '-q', images.schema2.ref]);
    await same(['history', '-q', '--no-trunc', images.schema2.ref]);
    await same(['history', '--format', '{{.ID}} {{.Size}} {{.CreatedAt}} {{.Comment}}', images.schema2.ref]);
    await same(['history', '--format', 'json', images.schema2.ref]);
    await same(['image', 'history', 'nope']);
  });

  it('save: -o and stdout give docker\'s bytes; refuses a terminal', async () => {
    const a = path.join(dir, 'a.tar');
    const b = path.join(dir, 'b.tar');
    await same(['save', '-o', a, images.schema2.ref], { timeoutMs: 60_000 });
    expect(d.docker(['save', '-o', b, images.schema2.ref], 60_000).status).toBe(0);
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
    const c = path.join(dir, 'c.tar');
    const s = runCmd('sh', ['-c', `"${berthBin}" save ${images.schema2.ref} > "${c}"`], { env, timeoutMs: 60_000 });
    expect(s.status, s.stderr).toBe(0);
    expect(fs.readFileSync(c).equals(fs.readFileSync(b))).toBe(true);
    const ours = runOnPty([berthBin, 'save', images.schema2.ref], { env });
    const theirs = runOnPty([dockerCli, 'save', images.schema2.ref], { env: d.env });
    expect({ status: ours.status, out: ours.stdout }).toEqual({ status: theirs.status, out: theirs.stdout });
    await same(['save', '-o', path.join(dir, 'n.tar'), 'nope:v1']);
  });

  it('import: file, stdin, --change, -m', async () => {
    const rootfs = path.join(dir, 'rootfs.tar');
    runCmd('tar', ['-C', busyboxRootfs, '-cf', rootfs, '.']);
    const got = await berth(['import', '-c', 'CMD ["sh"]', '-c', 'ENV X=1', '-m', 'hello', rootfs, 'imp:v1'], env, 60_000);
    expect(got.status, got.stderr).toBe(0);
    expect(got.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const fmt = ['image', 'inspect', '--format', '{{json .Config.Cmd}} {{json .Config.Env}} {{.Comment}}', 'imp:v1'];
    expect(d.docker(fmt).stdout).toBe('["sh"] ["X=1"] hello\n');
    const stdin = runCmd('sh', ['-c', `"${berthBin}" import - imp:v2 < "${rootfs}"`], { env, timeoutMs: 60_000 });
    expect(stdin.status, stdin.stderr).toBe(0);
    expect(stdin.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    await same(['import', path.join(dir, 'missing.tar')]);
  });

  it('image prune: prompt, -f, -a with a filter', async () => {
    const untagged = await berth(['import', path.join(dir, 'rootfs.tar')], env, 60_000);
    expect(untagged.status, untagged.stderr).toBe(0);
    const no = runCmd(berthBin, ['image', 'prune'], { env, input: 'n\n' });
    const dockerNo = runCmd(dockerCli, ['image', 'prune'], { env: d.env, input: 'n\n' });
    expect(no).toEqual(dockerNo);
    const yes = runCmd(berthBin, ['image', 'prune'], { env, input: 'y\n' });
    expect(yes.status, yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(/^WARNING! This will remove all dangling images\.\nAre you sure you want to continue\? \[y\/N\] Deleted Images:\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: \S+\n$/);
    await same(['image', 'prune', '-f']);
    await same(['image', 'prune', '-f', '--filter', 'until=bad']);
    const a = await berth(['image', 'prune', '-a', '-f', '--filter', 'label=berth.test'], env);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toContain(`untagged: ${images.schema2.ref}`);
    expect(a.stdout).toMatch(/\n\nTotal reclaimed space: \d+(\.\d+)?MB\n$/);
  });
});
