/**
 * The Dockerfile's instructions split into stages: the ARGs before the first
 * FROM (meta args, usable in FROM lines only), then one stage per FROM with
 * its name (`AS name`), cut after the --target stage.
 */
import { invalidArgument } from '@berth/errors';
import type { Instruction } from './parser.js';

export interface StagePlan {
  from: Instruction;
  /** `AS name`, lower case ('' without). */
  name: string;
  commands: Instruction[];
}

export interface BuildPlan {
  metaArgs: Instruction[];
  stages: StagePlan[];
}

export function planStages(instructions: Instruction[], target: string): BuildPlan {
  const metaArgs: Instruction[] = [];
  const stages: StagePlan[] = [];
  for (const inst of instructions) {
    if (inst.keyword === 'from') {
      const m = /^(\S+)(?:\s+as\s+(\S+))?\s*$/i.exec(inst.args);
      if (!m) throw invalidArgument(`dockerfile parse error line ${inst.line}: FROM requires either one or three arguments`);
      stages.push({ from: inst, name: (m[2] ?? '').toLowerCase(), commands: [] });
      continue;
    }
    const cur = stages.at(-1);
    if (!cur) {
      if (inst.keyword !== 'arg') throw invalidArgument('no build stage in current context');
      metaArgs.push(inst);
      continue;
    }
    cur.commands.push(inst);
  }
  if (stages.length === 0) throw invalidArgument('dockerfile contains no FROM instruction');
  if (target !== '') {
    const i = stages.findIndex((s) => s.name === target.toLowerCase());
    if (i < 0) throw invalidArgument(`failed to reach build target ${target} in Dockerfile`);
    stages.length = i + 1;
  }
  return { metaArgs, stages };
}
