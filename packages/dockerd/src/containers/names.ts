/**
 * Container names and IDs as docker makes them: 64-hex IDs whose 12-character
 * short form is never all digits (it would read as a number), names matching
 * [a-zA-Z0-9][a-zA-Z0-9_.-]+, and random "adjective_noun" names when none is
 * given (our own word lists: sea and harbour words, as befits a berth).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { invalidArgument } from '@berth/errors';

export function newContainerId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    if (!/^\d+$/.test(id.slice(0, 12))) return id;
  }
}

const validName = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** "/name" for a valid name; docker's 400 otherwise. */
export function checkName(name: string): string {
  if (!validName.test(name)) throw invalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name.startsWith('/') ? name : `/${name}`;
}

const adjectives = [
  'amber', 'anchored', 'bold', 'brave', 'breezy', 'bright', 'briny', 'calm', 'clever', 'coastal', 'cool', 'crisp',
  'daring', 'deep', 'eager', 'fair', 'fearless', 'gentle', 'glassy', 'golden', 'happy', 'hardy', 'hopeful', 'keen',
  'kind', 'lively', 'lucky', 'merry', 'misty', 'nimble', 'noble', 'patient', 'placid', 'proud', 'quick', 'quiet',
  'rapid', 'salty', 'serene', 'sharp', 'shining', 'silver', 'sleek', 'smooth', 'snug', 'spry', 'steady', 'stoic',
  'stormy', 'sturdy', 'sunny', 'swift', 'tidal', 'trusty', 'vivid', 'wandering', 'warm', 'wavy', 'windy', 'wise',
];
const nouns = [
  'albatross', 'anchor', 'barge', 'beacon', 'bollard', 'bosun', 'brig', 'buoy', 'capstan', 'cormorant', 'cove',
  'current', 'cutter', 'dinghy', 'dock', 'dolphin', 'dory', 'ferry', 'frigate', 'galleon', 'gannet', 'gull',
  'harbour', 'hawser', 'helm', 'heron', 'hull', 'inlet', 'jetty', 'keel', 'ketch', 'lagoon', 'lighthouse', 'mariner',
  'marina', 'mast', 'mooring', 'narwhal', 'orca', 'otter', 'pelican', 'pier', 'pilot', 'puffin', 'quay', 'reef',
  'rudder', 'schooner', 'seal', 'sextant', 'skiff', 'sloop', 'starling', 'tern', 'tide', 'trawler', 'wharf', 'yawl',
];

const pick = (list: string[]): string => list[randomInt(list.length)] ?? 'berth';

/** A random name; `retry` > 0 adds a digit, as docker does after a collision. */
export function randomName(retry = 0): string {
  const name = `${pick(adjectives)}_${pick(nouns)}`;
  return retry > 0 ? `${name}${randomInt(10)}` : name;
}
