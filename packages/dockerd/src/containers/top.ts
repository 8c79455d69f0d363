/**
 * GET /containers/{id}/top as dockerd does it: `ps` on the host with the
 * client's arguments (default -ef), keeping the header and the rows whose PID
 * column is one of the container's processes (from the task's pid list).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { conflict, internal, invalidArgument } from '@berth/errors';
import type { Container } from './container.js';
import type { Engine } from './engine.js';
import { isRunning } from './model.js';

const run = promisify(execFile);

export async function topContainer(e: Engine, c: Container, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }> {
  if (!isRunning(c.record.state)) throw conflict(`Container ${c.id} is not running`);
  const { processes } = await e.ctr.tasks.listPids({ containerId: c.id });
  const pids = new Set(processes.map((p) => String(p.pid)));
  const args = (psArgs.trim() || '-ef').split(/\s+/);
  let stdout: string;
  try {
    ({ stdout } = await run('ps', args, { maxBuffer: 16 << 20 }));
  } catch (err) {
    throw internal(`Error running ps: ${(err as Error).message}`, err);
  }
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw invalidArgument(`Couldn't find PID field in ps output`);
  const rows: string[][] = [];
  for (const line of lines.slice(1)) {
    // the last column (the command) may hold spaces
    const fields = line.trim().split(/\s+/);
    const row = [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
    if (pids.has(row[pidCol] ?? '')) rows.push(row);
  }
  return { Titles: titles, Processes: rows };
}
