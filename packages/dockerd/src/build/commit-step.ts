/**
 * The classic builder's step plumbing: the cache probe, the intermediate
 * container (created from the stage's image with the step's run config,
 * `Running in <id>`, removed afterwards: `Removing intermediate container`),
 * and the commit of a step's image with or without a new layer.
 */
import { isBerthError } from '@berth/errors';
import type { Container } from '../containers/container.js';
import { createContainer } from '../containers/create.js';
import type { Engine } from '../containers/engine.js';
import { removeContainer } from '../containers/remove.js';
import { withLease } from '../images/lease.js';
import { findImage } from '../images/store.js';
import type { BuildCache } from './cache.js';
import { baseOf, diffSnapshot, writeStepImage, type Layer } from './image-writer.js';
import { shortId, type BuildOutput } from './output.js';
import { shellOf, type BuildSettings, type RunConfig, type Stage } from './state.js';

export interface StepContext {
  e: Engine;
  out: BuildOutput;
  cache: BuildCache;
  settings: BuildSettings;
  /** rm (default): remove a step's container after a successful step. */
  rm: boolean;
  /** forcerm: remove it after a failed one too. */
  forceRm: boolean;
}

/** moby's probeCache: an image built from this parent with this Cmd; on a hit the stage moves to it. */
export async function probeCache(ctx: StepContext, st: Stage, cacheCmd: string[]): Promise<boolean> {
  if (ctx.settings.noCache) return false;
  const id = ctx.cache.get(st.image.id, cacheCmd);
  if (id === undefined) return false;
  try {
    st.image = baseOf(await findImage(ctx.e.ctr, id));
  } catch (err) {
    if (!isBerthError(err, 'NotFound')) throw err;
    ctx.cache.forget(st.image.id, cacheCmd);
    return false;
  }
  ctx.out.text(' ---> Using cache\n');
  return true;
}

/** Creates the step's container, runs fn with it, removes it (as rm/forcerm say), announcing both. */
export async function withStepContainer<T>(ctx: StepContext, st: Stage, config: RunConfig, fn: (c: Container) => Promise<T>): Promise<T> {
  const body = {
    ...config,
    Image: st.image.id,
    // the step's command is the whole argv: the image's ENTRYPOINT does not wrap it
    Entrypoint: [''],
    HostConfig: { NetworkMode: 'none' },
  };
  const { Id } = await createContainer(ctx.e, body, '');
  ctx.out.text(` ---> Running in ${shortId(Id)}\n`);
  const c = ctx.e.store.get(Id);
  let ok = false;
  try {
    const r = await fn(c);
    ok = true;
    return r;
  } finally {
    if (ok ? ctx.rm : ctx.forceRm || ctx.rm) {
      await removeContainer(ctx.e, c, { force: true, removeVolumes: true });
      ctx.out.text(`Removing intermediate container ${shortId(Id)}\n`);
    }
  }
}

/** The stage's next image: its run config, the cache Cmd, and (from a snapshot key) a layer. */
export async function commitStep(ctx: StepContext, st: Stage, cacheCmd: string[], layerFrom: string | undefined): Promise<void> {
  const parent = st.image;
  const img = await withLease(ctx.e.ctr, async (lease) => {
    const layer: Layer | undefined = layerFrom === undefined ? undefined : await diffSnapshot(ctx.e, layerFrom, parent, lease);
    return writeStepImage(ctx.e, parent, { runConfig: structuredClone(st.runConfig), cacheCmd, layer }, lease);
  });
  ctx.cache.set(parent.id, cacheCmd, img.id);
  st.image = img;
}

/** A config-only step: cache probe, then (from an image) a container that is committed unchanged. */
export async function configStep(ctx: StepContext, st: Stage, comment: string): Promise<void> {
  const cacheCmd = [...shellOf(st.runConfig), '#(nop) ', comment];
  if (await probeCache(ctx, st, cacheCmd)) return;
  if (st.image.id === '') {
    await commitStep(ctx, st, cacheCmd, undefined);
    return;
  }
  await withStepContainer(ctx, st, { ...st.runConfig, Cmd: cacheCmd }, () => commitStep(ctx, st, cacheCmd, undefined));
}
