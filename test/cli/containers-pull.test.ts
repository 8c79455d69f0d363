/**
 * berth run / create with an image the daemon does not have: docker's
 * "Unable to find image 'x' locally", the pull (progress on stderr), and the
 * create tried again; --pull always and never. Images come from a real
 * registry on 127.0.0.1; each side starts without the image, and the
 * outputs are compared with the real docker CLI 28's (per-layer pull lines
 * come in an order that depends on timing, so stderr is compared as a set).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../containerd/daemons.js';
import { startRegistry, type Registry } from '../containerd/storage.js';
import { pushTestImages, type Pushed } from '../dockerd/images-fixtures.js';
import { haveBinaries } from '../helpers/daemon.js';
import { busyboxRootfs } from '../helpers/paths.js';
import { dockerCli, startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { mask, nameFor, side, type Side } from './containers-compare.js';
import { berthBin } from './run-berth.js';

const available = process.getuid?.() === 0 && fs.existsSync(berthBin) && fs.existsSync(busyboxRootfs) &&
  haveBinaries('dockerd', dockerCli, 'containerd', 'docker-registry', 'skopeo');

/**
 * The kinds of lines, each once: the daemon reports "Verifying Checksum" and
 * "Download complete" per layer only when a progress tick happens to fall there.
 */
const sortedLines = (s: string): string[] => [...new Set(mask(s).split('\n').filter((l) => !l.endsWith(': Verifying Checksum')))].sort();

describe.skipIf(!available)('berth run/create pull a missing image as docker does', () => {
  let d: RealDockerd;
  let registry: Registry;
  let dir: string;
  let image: Pushed;

  beforeAll(async () => {
    dir = tempDir('clipull');
    registry = await startRegistry(dir);
    image = (await pushTestImages(dir, registry.host)).schema2;
    d = await startRealDockerd();
  }, 180_000);

  afterAll(async () => {
    await d?.stop();
    await registry?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** Each side from a daemon without the image. */
  async function fresh(s: Side, args: string[]) {
    d.docker(['rmi', '-f', image.ref]);
    return side(d, s, args, undefined, 120_000);
  }

  it('run: Unable to find image, the pull on stderr, then the container', async () => {
    const args = (s: Side) => ['run', '--rm', '--name', nameFor(s)('pl'), '--network', 'none', image.ref, 'echo', 'hi'];
    const want = await fresh('dk', args('dk'));
    const got = await fresh('bt', args('bt'));
    expect(want.status, want.stderr).toBe(0);
    expect(got.status, got.stderr).toBe(0);
    expect(got.stdout).toBe('hi\n');
    expect(got.stdout).toBe(want.stdout);
    expect(got.stderr.split('\n')[0]).toBe(`Unable to find image '${image.ref}' locally`);
    expect(sortedLines(got.stderr)).toEqual(sortedLines(want.stderr));
  });

  it('create pulls too; --pull always pulls an image that is there; --pull never does not', async () => {
    const want = await fresh('dk', ['create', '--network', 'none', image.ref]);
    // the container holds the layers: without it the next pull starts from nothing again
    d.docker(['rm', '-f', want.stdout.trim()]);
    const got = await fresh('bt', ['create', '--network', 'none', image.ref]);
    expect(got.status, got.stderr).toBe(0);
    expect(mask(got.stdout)).toBe(mask(want.stdout));
    expect(sortedLines(got.stderr)).toEqual(sortedLines(want.stderr));

    const always = (s: Side) => side(d, s, ['run', '--rm', '--pull', 'always', '--network', 'none', image.ref, 'true'], undefined, 120_000);
    const a = await always('dk');
    const b = await always('bt');
    expect(b.status, b.stderr).toBe(0);
    expect(sortedLines(b.stderr)).toEqual(sortedLines(a.stderr));

    const never = async (s: Side) => {
      d.docker(['rmi', '-f', image.ref]);
      return side(d, s, ['run', '--rm', '--pull', 'never', '--network', 'none', image.ref, 'true']);
    };
    const n1 = await never('dk');
    const n2 = await never('bt');
    expect(n2.status).toBe(125);
    expect({ ...n2, stderr: mask(n2.stderr) }).toEqual({ ...n1, stderr: mask(n1.stderr) });
  });
});
