/**
 * Connects a running task's stdio to berthd: its output fifos feed the
 * json-file log and every attached client; attached clients' stdin goes to
 * the stdin fifo. `outputDone` resolves when the shim closed the output fifos
 * (the process exited and everything it wrote was read).
 */
import type net from 'node:net';
import { JsonFileWriter, jsonFileOptions } from '../logs/json-file-writer.js';
import type { Container } from './container.js';
import { openInputFifo, openOutputFifo, type FifoSet } from './fifos.js';

export function connectInitIO(c: Container, fifos: FifoSet, closeStdin: () => void): void {
  const rec = c.record;
  if (rec.logPath !== '' && !c.logWriter) c.logWriter = new JsonFileWriter(rec.logPath, jsonFileOptions(rec.hostConfig.LogConfig.Config));
  const writer = c.logWriter;
  const outputs: Promise<void>[] = [];
  const pump = (p: string, kind: 'stdout' | 'stderr') => {
    const sock: net.Socket = openOutputFifo(p);
    outputs.push(
      new Promise<void>((resolve) => {
        sock.on('data', (chunk: Buffer) => {
          writer?.write(kind, chunk);
          c.emitData(kind, chunk);
        });
        sock.on('close', () => resolve());
        sock.on('error', () => resolve());
      }),
    );
  };
  pump(fifos.stdout, 'stdout');
  if (fifos.stderr !== '') pump(fifos.stderr, 'stderr');
  c.outputDone = Promise.all(outputs).then(() => undefined);
  c.connectStdin(fifos.stdin !== '' ? openInputFifo(fifos.stdin) : undefined, closeStdin);
}

/** The run is over: flush and close the log, end attached clients, drop stdin. */
export function disconnectInitIO(c: Container): void {
  c.logWriter?.close();
  c.logWriter = undefined;
  c.stdin?.destroy();
  c.stdin = undefined;
  c.closeStdin = undefined;
  c.emitEnd();
}
