/** Signal names and numbers as runc's kill accepts them ("KILL", "SIGKILL", "9"). */
import { constants } from 'node:os';
import { invalidArgument } from '@berth/errors';

const byName = constants.signals as Record<string, number>;

export function parseSignal(raw: string): number {
  if (/^\d+$/.test(raw)) return Number(raw);
  const name = raw.toUpperCase();
  const key = name.startsWith('SIG') ? name : `SIG${name}`;
  const n = byName[key];
  if (n === undefined) throw invalidArgument(`unknown signal ${JSON.stringify(raw)}`);
  return n;
}
