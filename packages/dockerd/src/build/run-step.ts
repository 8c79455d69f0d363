/**
 * RUN: the command in a container made from the stage's image (network
 * none: builds here have no network), its output streamed into the build,
 * then the container's changes committed as the step's layer. The cache key
 * is the command, prefixed with the build args in effect (`|1 A=b ...`), as
 * moby keys it; a non-zero exit fails the build with moby's text.
 */
import { internal, invalidArgument } from '@berth/errors';
import { startContainer } from '../containers/start.js';
import { commitStep, probeCache, withStepContainer, type StepContext } from './commit-step.js';
import type { Instruction } from './parser.js';
import { argPairs, shellOf, type Stage } from './state.js';

export class StepFailed extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

export async function runStep(ctx: StepContext, st: Stage, inst: Instruction): Promise<void> {
  if (st.image.id === '') throw invalidArgument('The command could not be run: no image to run it in (FROM scratch has no shell)');
  const argv = inst.json ?? [...shellOf(st.runConfig), inst.args];
  const args = argPairs(st);
  const cacheCmd = args.length > 0 ? [`|${args.length}`, ...args, ...argv] : argv;
  if (await probeCache(ctx, st, cacheCmd)) return;
  const env = [...(st.runConfig.Env ?? []), ...args];
  await withStepContainer(ctx, st, { ...st.runConfig, Cmd: argv, Env: env }, async (c) => {
    const ended = new Promise<void>((resolve) => {
      const stop = c.listen({
        data: (_kind, chunk) => ctx.out.text(chunk.toString('utf8')),
        end: () => {
          stop();
          resolve();
        },
      });
    });
    const exited = c.nextExit();
    await startContainer(ctx.e, c);
    const x = await exited;
    await Promise.race([ended, c.outputDone]);
    if (x.exitCode !== 0) throw new StepFailed(`The command '${argv.join(' ')}' returned a non-zero code: ${x.exitCode}`, x.exitCode);
    if (x.error) throw internal(x.error);
    await commitStep(ctx, st, cacheCmd, c.id);
  });
}
