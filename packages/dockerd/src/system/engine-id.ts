/**
 * The daemon's ID in /info: a UUID made once and kept in <data-root>/engine-id,
 * as dockerd 23+ keeps it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

export function loadEngineId(dataRoot: string): string {
  const file = path.join(dataRoot, 'engine-id');
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (id !== '') return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomUUID();
  fs.mkdirSync(dataRoot, { recursive: true, mode: 0o711 });
  writeFileAtomic(file, `${id}\n`);
  return id;
}
