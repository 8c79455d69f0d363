/**
 * @berth/runc as the shim will use it: the same operations in-process, with the
 * container's init a child of the calling process (waitable).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerState,
  createContainer,
  deleteContainer,
  execProcess,
  execProcessSpec,
  killContainer,
  listContainers,
  runtimeContext,
  startContainer,
  type RuntimeContext,
} from '../../packages/runc/src/index.js';
import { makeBundle, tempRoot, uniqueId } from '../helpers/bundle.js';

let tmp: string;
let ctx: RuntimeContext;

beforeAll(() => {
  tmp = tempRoot('library');
  ctx = runtimeContext({ root: path.join(tmp, 'state') });
});
afterAll(() => {
  for (const c of listContainers(ctx)) deleteContainer(ctx, c.id, true);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('@berth/runc library', () => {
  it('creates, starts, execs into, signals, waits for and deletes a container', async () => {
    const out = path.join(tmp, 'out.txt');
    const b = makeBundle(tmp, ['sleep', '300'], (s) => {
      s.mounts?.push({ destination: '/out', type: 'bind', source: path.dirname(out), options: ['rbind', 'rw'] });
      if (s.root) s.root.readonly = false;
    });
    const id = uniqueId('lib');
    const { pid } = createContainer(ctx, id, { bundle: b.dir });
    expect(containerState(ctx, id)).toMatchObject({ id, pid, status: 'created' });
    startContainer(ctx, id);
    expect(containerState(ctx, id).status).toBe('running');

    const record = ctx.store.read(id);
    const proc = execProcessSpec(record.config.process, { args: ['sh', '-c', `echo exec-ok > /out/${path.basename(out)}; exit 5`] });
    const exec = execProcess(ctx, id, { process: proc });
    // exec'd processes and init are children of this process: waitable in-process
    expect(await ctx.core.waitpidAsync(exec.pid)).toMatchObject({ pid: exec.pid, exitCode: 5 });
    expect(fs.readFileSync(out, 'utf8')).toBe('exec-ok\n');

    const exited = ctx.core.waitpidAsync(pid);
    killContainer(ctx, id, 9);
    expect(await exited).toMatchObject({ pid, signal: 9 });
    expect(containerState(ctx, id).status).toBe('stopped');
    deleteContainer(ctx, id);
    expect(() => containerState(ctx, id)).toThrow(/container does not exist/);
  });

  it('throws typed errors with codes', () => {
    expect(() => startContainer(ctx, 'missing')).toThrow(expect.objectContaining({ code: 'NotFound' }));
    const b = makeBundle(tmp, ['true'], (s) => {
      if (s.process) s.process.args = [];
    });
    expect(() => createContainer(ctx, uniqueId('bad'), { bundle: b.dir })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
