/**
 * COPY and ADD: the sources (the context, or --from another stage or a
 * local image, mounted read-only), their checksum in the step's Cmd for the
 * cache (`#(nop) COPY file:<sha256> in /dst `), then a fresh snapshot on the
 * stage's image gets the files and its changes become the step's layer. No
 * container: moby copies into a bare read-write layer too.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { invalidArgument, notFound } from '@berth/errors';
import { snapshotter } from '../containers/engine.js';
import { readonlyMounts, withTempMount } from '../containers/rootfs-access.js';
import { resolveUser } from '../containers/spec/user.js';
import { withLease } from '../images/lease.js';
import { findImage } from '../images/store.js';
import { commitStep, probeCache, type StepContext } from './commit-step.js';
import { copyInto, type Owner } from './copy-into.js';
import { resolveSources, sourcesHash } from './copy-sources.js';
import { baseOf, topChainOf, type BaseImage } from './image-writer.js';
import type { Instruction } from './parser.js';
import { shellOf, varsOf, type Stage } from './state.js';
import { expandWord, splitWords } from './words.js';

type Mounts = { type: string; source: string; options: string[] }[];

/** Runs fn on an image's files, mounted read-only (scratch: an empty dir). */
async function withImageRoot<T>(ctx: StepContext, img: BaseImage, fn: (root: string) => Promise<T>): Promise<T> {
  const top = topChainOf(img);
  if (top === '') return withTempMount([], fn);
  return withLease(ctx.e.ctr, async (lease) => {
    const key = `berthd-build-from-${randomBytes(6).toString('hex')}`;
    const { mounts } = await ctx.e.ctr.snapshots.view({ snapshotter, key, parent: top, labels: {} }, { metadata: { 'containerd-lease': lease } });
    try {
      return await withTempMount(readonlyMounts(mounts.map((m) => ({ type: m.type, source: m.source, options: [...m.options] }))), fn);
    } finally {
      await ctx.e.ctr.snapshots.remove({ snapshotter, key }).catch(() => undefined);
    }
  });
}

async function readIn(root: string, file: string): Promise<string | undefined> {
  return fs.readFile(path.join(root, file), 'utf8').catch(() => undefined);
}

/** --chown=user[:group]: names from the image's passwd/group; a lone user is also the group (moby). */
async function ownerOf(root: string, chown: string | undefined): Promise<Owner> {
  if (chown === undefined || chown === '') return { uid: 0, gid: 0 };
  const [u = '', g] = chown.split(':', 2);
  const r = resolveUser(`${u}:${g ?? u}`, await readIn(root, 'etc/passwd'), await readIn(root, 'etc/group'));
  return { uid: r.uid, gid: r.gid };
}

export interface CopySources {
  contextDir: string;
  /** A stage by name or index, for --from. */
  stage(ref: string): Stage | undefined;
}

export async function copyStep(ctx: StepContext, st: Stage, inst: Instruction, src: CopySources): Promise<void> {
  const what = inst.keyword.toUpperCase();
  const vars = varsOf(st);
  const words = inst.json ?? splitWords(inst.args, vars);
  if (words.length < 2) throw invalidArgument(`${what} requires at least two arguments, but only one was provided. Destination could not be determined.`);
  const given = words.slice(0, -1).map((w) => (inst.json ? expandWord(w, vars) : w));
  if (given.some((g) => /^[a-z]+:\/\//i.test(g))) {
    throw invalidArgument(`${what} failed: source URLs are not supported by berthd (builds have no network)`);
  }
  let dest = inst.json ? expandWord(words.at(-1) ?? '', vars) : (words.at(-1) ?? '');
  if (!dest.startsWith('/')) dest = `${(st.runConfig.WorkingDir || '/').replace(/\/?$/, '/')}${dest}`;
  const from = inst.flags.from;
  let fromImage: BaseImage | undefined;
  if (from !== undefined) {
    const stage = src.stage(from);
    if (stage) fromImage = stage.image;
    else {
      try {
        fromImage = baseOf(await findImage(ctx.e.ctr, expandWord(from, vars)));
      } catch {
        throw notFound(`${what} failed: no stage or image found with that name: ${from}`);
      }
    }
  }
  const withSource = <T>(fn: (root: string) => Promise<T>): Promise<T> => (fromImage ? withImageRoot(ctx, fromImage, fn) : fn(src.contextDir));
  await withSource(async (srcRoot) => {
    const sources = await resolveSources(srcRoot, given, what, fromImage === undefined);
    const hash = await sourcesHash(sources);
    const chown = inst.flags.chown;
    const comment = `${what}${chown ? ` --chown=${chown}` : ''} ${hash} in ${dest} `;
    const cacheCmd = [...shellOf(st.runConfig), '#(nop) ', comment];
    if (await probeCache(ctx, st, cacheCmd)) return;
    await withLease(ctx.e.ctr, async (lease) => {
      const key = `berthd-build-${randomBytes(8).toString('hex')}`;
      const { mounts } = await ctx.e.ctr.snapshots.prepare({ snapshotter, key, parent: topChainOf(st.image), labels: {} }, { metadata: { 'containerd-lease': lease } });
      try {
        const m: Mounts = mounts.map((x) => ({ type: x.type, source: x.source, options: [...x.options] }));
        await withTempMount(m, async (root) => {
          const owner = await ownerOf(root, chown);
          await copyInto(root, { sources, dest, owner, unpack: inst.keyword === 'add', what });
        });
        await commitStep(ctx, st, cacheCmd, key);
      } finally {
        await ctx.e.ctr.snapshots.remove({ snapshotter, key }).catch(() => undefined);
      }
    });
  });
}
