/** The `berth image` management command and the top-level image shortcuts. */
import type { Command } from 'commander';
import { describeCommand } from '../help.js';
import { historyOn } from './history.js';
import { imageInspectOn } from './image-inspect.js';
import { imageOpsOn } from './image-ops.js';
import { imagePruneOn } from './image-prune.js';
import { imagesOn } from './images.js';
import { importOn } from './import.js';
import { pullOn } from './pull.js';
import { saveOn } from './save.js';

export function imageCommands(program: Command): void {
  const image = describeCommand(program.command('image').description('Manage images'), { usage: 'COMMAND', group: 'Management Commands' });
  image.action(() => image.outputHelp());
  imagesOn(program, image);
  imageInspectOn(image);
  imageOpsOn(program, image);
  pullOn(program, image);
  saveOn(program, image);
  historyOn(program, image);
  importOn(program, image);
  imagePruneOn(image);
}
