/**
 * The build's JSON-lines stream (docker's jsonmessage): `{"stream": ...}`
 * for text, `{"aux": ...}` for the image ID, `{"errorDetail", "error"}` for
 * a failure. Nothing is sent until the first line: an error before it (a
 * Dockerfile that does not parse, say) is an ordinary HTTP error, as moby
 * answers when its output was never flushed.
 */
import type { Response } from 'express';

export class BuildOutput {
  private started = false;
  /** With q=1 the step text is held back (and sent only before an error, as moby does). */
  private held = '';
  constructor(private readonly res: Response, private readonly quiet: boolean) {}

  get flushed(): boolean {
    return this.started;
  }

  private send(msg: unknown): void {
    if (!this.started) {
      this.started = true;
      this.res.status(200).setHeader('Content-Type', 'application/json');
    }
    this.res.write(`${JSON.stringify(msg)}\n`);
  }

  text(s: string): void {
    if (this.quiet) this.held += s;
    else this.send({ stream: s });
  }

  /** A pull's progress message (FROM with pull=1), as the pull stream has it; nothing with q=1. */
  progress(msg: Record<string, unknown>): void {
    if (!this.quiet) this.send(msg);
  }

  /** The end of a successful build: quiet, the ID is the whole output. */
  done(id: string): void {
    if (this.quiet) this.send({ stream: `${id}\n` });
  }

  aux(id: string): void {
    this.send({ aux: { ID: id } });
  }

  error(message: string, code?: number): void {
    if (this.held !== '') this.send({ stream: this.held });
    this.held = '';
    this.send({ errorDetail: { ...(code !== undefined ? { code } : {}), message }, error: message });
  }
}

export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);
