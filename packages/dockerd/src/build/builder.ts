/**
 * One classic build: the Dockerfile parsed and split into stages, each
 * instruction a step (`Step n/m : <original>`), each step's image printed
 * as ` ---> <id>`; at the end the aux ID, `Successfully built`, and the tags.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { invalidArgument } from '@berth/errors';
import type { Engine } from '../containers/engine.js';
import { withContainerRoot } from '../containers/rootfs-access.js';
import { resolveInRoot } from '../containers/rootfs-path.js';
import { withLease } from '../images/lease.js';
import { familiarName, normalizeName } from '../images/reference.js';
import { setRecord } from '../images/records.js';
import { findImage } from '../images/store.js';
import { parsePlatform, planPull } from '../images/pull-plan.js';
import { runPull } from '../images/pull.js';
import type { Credentials } from '../registry/auth.js';
import { buildCache } from './cache.js';
import { commitStep, configStep, probeCache, withStepContainer, type StepContext } from './commit-step.js';
import { applyConfigStep } from './config-steps.js';
import { copyStep } from './copy-step.js';
import { baseOf, intermediateLabel, scratchImage } from './image-writer.js';
import { shortId, type BuildOutput } from './output.js';
import { parseDockerfile, type Instruction } from './parser.js';
import { runStep } from './run-step.js';
import { planStages, type StagePlan } from './stages.js';
import { shellOf, varsOf, type BuildSettings, type RunConfig, type Stage } from './state.js';
import { expandWord, parsePairs } from './words.js';

export interface BuildOptions {
  contextDir: string;
  dockerfile: string;
  tags: string[];
  buildArgs: Map<string, string | undefined>;
  labels: Record<string, string>;
  target: string;
  noCache: boolean;
  rm: boolean;
  forceRm: boolean;
  /** pull=1: the credentials to pull a FROM image with. */
  pull?: (ref: string) => Credentials;
}

async function readDockerfile(dir: string, name: string): Promise<string> {
  const file = resolveInRoot(dir, `/${name}`).host;
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    if (name === 'Dockerfile') {
      const lower = await fs.readFile(path.join(dir, 'dockerfile'), 'utf8').catch(() => undefined);
      if (lower !== undefined) return lower;
    }
    throw invalidArgument(`Cannot locate specified Dockerfile: ${name}`);
  }
}

/** `--label` values become LABEL steps at the end of the target stage, one per label in name order, as moby adds them. */
function labelInstructions(labels: Record<string, string>): Instruction[] {
  return Object.keys(labels).sort().map((k) => ({
    keyword: 'label',
    args: `${JSON.stringify(k)}=${JSON.stringify(labels[k] ?? '')}`,
    flags: {},
    original: `LABEL ${k}=${labels[k] ?? ''}`,
    line: 0,
    json: undefined,
  }));
}

async function fromStep(ctx: StepContext, plan: StagePlan, done: Stage[], meta: Map<string, string>): Promise<Stage> {
  const ref = expandWord(plan.from.args.split(/\s+/)[0] ?? '', meta);
  const prior = done.find((s) => s.name !== '' && s.name === ref.toLowerCase());
  let image = prior ? prior.image : undefined;
  if (!image && ref.toLowerCase() !== 'scratch' && ctx.settings.pull) {
    // --pull: the registry's current image first, its progress in the build's stream
    const plan = await planPull(ref, '', parsePlatform(undefined), ctx.settings.pull(ref));
    await runPull(ctx.e.ctr, plan, (m) => ctx.out.progress(m));
  }
  if (!image) image = ref.toLowerCase() === 'scratch' ? scratchImage() : baseOf(await findImage(ctx.e.ctr, ref));
  const runConfig = structuredClone((image.config.config ?? {}) as RunConfig);
  return { name: plan.name, image, runConfig, args: new Map(), cmdSet: false };
}

async function workdirStep(ctx: StepContext, st: Stage, inst: Instruction): Promise<void> {
  const dir = expandWord(inst.args, varsOf(st));
  st.runConfig.WorkingDir = path.posix.resolve(st.runConfig.WorkingDir || '/', dir);
  const cacheCmd = [...shellOf(st.runConfig), '#(nop) ', `WORKDIR ${st.runConfig.WorkingDir}`];
  if (await probeCache(ctx, st, cacheCmd)) return;
  if (st.image.id === '') return commitStep(ctx, st, cacheCmd, undefined);
  const wd = st.runConfig.WorkingDir;
  await withStepContainer(ctx, st, { ...st.runConfig, Cmd: cacheCmd }, async (c) => {
    await withContainerRoot(ctx.e, c, async (root) => {
      await fs.mkdir(resolveInRoot(root, wd).host, { recursive: true, mode: 0o755 });
    });
    await commitStep(ctx, st, cacheCmd, c.id);
  });
}

async function dispatch(ctx: StepContext, st: Stage, inst: Instruction, stages: Stage[], contextDir: string): Promise<void> {
  switch (inst.keyword) {
    case 'run':
      return runStep(ctx, st, inst);
    case 'copy':
    case 'add':
      return copyStep(ctx, st, inst, {
        contextDir,
        stage: (ref) => stages.find((s, i) => (s.name !== '' && s.name === ref.toLowerCase()) || String(i) === ref),
      });
    case 'workdir':
      return workdirStep(ctx, st, inst);
    default:
      return configStep(ctx, st, applyConfigStep(st, inst, ctx.settings));
  }
}

/** The base image's ONBUILD triggers, run right after FROM (and not inherited further). */
async function runTriggers(ctx: StepContext, st: Stage, stages: Stage[], contextDir: string): Promise<void> {
  const triggers = st.runConfig.OnBuild ?? [];
  st.runConfig.OnBuild = null;
  if (triggers.length === 0) return;
  ctx.out.text(`# Executing ${triggers.length} build trigger${triggers.length === 1 ? '' : 's'}\n`);
  for (const t of triggers) {
    for (const inst of parseDockerfile(t)) await dispatch(ctx, st, inst, stages, contextDir);
  }
}

/** Runs the build; returns the final image ID. Errors after the first line of output are the caller's to stream. */
export async function build(e: Engine, out: BuildOutput, o: BuildOptions): Promise<string> {
  const plan = planStages(parseDockerfile(await readDockerfile(o.contextDir, o.dockerfile)), o.target);
  const last = plan.stages.at(-1);
  last?.commands.push(...labelInstructions(o.labels));
  const meta = new Map<string, string>();
  const settings: BuildSettings = { buildArgs: o.buildArgs, usedArgs: new Set(), metaArgs: meta, noCache: o.noCache, ...(o.pull ? { pull: o.pull } : {}) };
  const ctx: StepContext = { e, out, cache: buildCache(e.settings.dataRoot), settings, rm: o.rm, forceRm: o.forceRm };
  for (const a of plan.metaArgs) {
    for (const [k, v] of parsePairs(a.args, meta, false, 'ARG')) {
      const given = o.buildArgs.has(k);
      if (given) settings.usedArgs.add(k);
      const value = given ? o.buildArgs.get(k) : a.args.includes('=') ? v : undefined;
      if (value !== undefined) meta.set(k, value);
    }
  }
  // moby counts (and prints) the ARGs before the first FROM as steps with no image of their own
  const total = plan.metaArgs.length + plan.stages.reduce((n, s) => n + 1 + s.commands.length, 0);
  let n = 0;
  for (const a of plan.metaArgs) out.text(`Step ${++n}/${total} : ${a.original}\n`);
  const done: Stage[] = [];
  for (const sp of plan.stages) {
    out.text(`Step ${++n}/${total} : ${sp.from.original}\n`);
    const st = await fromStep(ctx, sp, done, meta);
    await runTriggers(ctx, st, done, o.contextDir);
    out.text(` ---> ${shortId(st.image.id)}\n`);
    for (const inst of sp.commands) {
      out.text(`Step ${++n}/${total} : ${inst.original}\n`);
      await dispatch(ctx, st, inst, done, o.contextDir);
      out.text(` ---> ${shortId(st.image.id)}\n`);
    }
    done.push(st);
  }
  const final = done.at(-1)?.image;
  if (!final || final.id === '') throw invalidArgument('No image was generated. Is your Dockerfile empty?');
  const unused = [...o.buildArgs.keys()].filter((k) => !settings.usedArgs.has(k)).sort();
  if (unused.length > 0) out.text(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
  out.aux(final.id);
  out.text(`Successfully built ${shortId(final.id)}\n`);
  await tagAll(e, final.id, o.tags, out);
  out.done(final.id);
  return final.id;
}

async function tagAll(e: Engine, id: string, tags: string[], out: BuildOutput): Promise<void> {
  const img = await findImage(e.ctr, id);
  const rec = img.records[0];
  if (!rec) return;
  await withLease(e.ctr, async (lease) => {
    // an untagged result is an image of its own, no longer an intermediate one
    for (const r of img.records) {
      if (r.labels[intermediateLabel] !== undefined) {
        const { [intermediateLabel]: _, ...rest } = r.labels;
        await setRecord(e.ctr, r.name, { mediaType: r.targetMediaType, digest: r.targetDigest, size: r.targetSize }, lease, rest);
      }
    }
    for (const t of tags) {
      const name = normalizeName(t);
      await setRecord(e.ctr, name, { mediaType: rec.targetMediaType, digest: rec.targetDigest, size: rec.targetSize }, lease);
      e.events.publish('image', 'tag', id, { name: familiarName(name) });
      out.text(`Successfully tagged ${familiarName(name)}\n`);
    }
  });
}
