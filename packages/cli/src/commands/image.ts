/** The `berth image` management command and the top-level image shortcuts. */
import type { Command } from 'commander';
import { describeCommand } from '../help.js';
import { imageInspectOn } from './image-inspect.js';
import { imageOpsOn } from './image-ops.js';
import { imagesOn } from './images.js';

export function imageCommands(program: Command): void {
  const image = describeCommand(program.command('image').description('Manage images'), { usage: 'COMMAND', group: 'Management Commands' });
  image.action(() => image.outputHelp());
  imagesOn(program, image);
  imageInspectOn(image);
  imageOpsOn(program, image);
}
