/**
 * The push half of the Distribution API v2 on a RegistryClient: HEAD a blob,
 * mount it from another repository of the same registry, upload it (POST for
 * a session, then one PUT ?digest= for small blobs, or PATCH chunks with
 * Content-Range and a closing PUT for large ones), and PUT a manifest.
 * Failures read as dockerd shows them in a push stream.
 */
import { internal } from '@berth/errors';
import { firstCause } from './errors.js';
import type { RegistryClient } from './client.js';

/** Blobs above this go up in PATCH chunks of this size (memory stays bounded; docker's own client streams). */
export const chunkSize = 5 * 1024 * 1024;

const codeText = (code: string): string => code.toLowerCase().replace(/_/g, ' ');

/**
 * A registry answer as a push error, first cause first as docker/distribution
 * ranks them: "no basic auth credentials" when a Basic challenge found none
 * (its ErrNoBasicAuthCredentials); a Bearer challenge's error parameter
 * (insufficient_scope -> "denied: requested access to the resource is
 * denied", invalid_token -> "unauthorized: ..."); the errcode body; a bare
 * 401 -> "unauthorized: authentication required"; else Go's unexpected status.
 */
export async function pushError(client: RegistryClient, res: Response, hasCreds: boolean): Promise<Error> {
  const body = await res.text().catch(() => '');
  if (res.status === 401 && !hasCreds && client.challengeScheme === 'basic') return internal('no basic auth credentials');
  const first = firstCause(res.status, body, res.headers.get('www-authenticate'));
  if (first?.code) return internal(`${codeText(first.code)}: ${first.message ?? ''}`);
  return internal(`received unexpected HTTP status: ${res.status} ${res.statusText}`);
}

export class BlobPusher {
  constructor(private readonly client: RegistryClient, private readonly hasCreds: boolean) {}

  private url(rest: string): string {
    return `${this.client.base}/v2/${this.client.path}/${rest}`;
  }

  private async fail(res: Response): Promise<never> {
    throw await pushError(this.client, res, this.hasCreds);
  }

  /** HEAD /v2/<name>/blobs/<digest>: is it there already? */
  async exists(digest: string): Promise<boolean> {
    const res = await this.client.request('HEAD', this.url(`blobs/${digest}`));
    await res.body?.cancel();
    if (res.ok) return true;
    if (res.status === 404) return false;
    return this.fail(res);
  }

  /**
   * POST ...?mount=<digest>&from=<repo>: true when the registry mounted it
   * (201); otherwise the upload session it opened instead (202), or
   * undefined when it refused (the caller opens a plain upload).
   */
  async mount(digest: string, from: string): Promise<true | string | undefined> {
    const q = new URLSearchParams({ mount: digest, from });
    const res = await this.client.request('POST', this.url(`blobs/uploads/?${q.toString()}`));
    await res.body?.cancel();
    if (res.status === 201) return true;
    if (res.status === 202) return this.location(res);
    return undefined;
  }

  /** POST /v2/<name>/blobs/uploads/: a new upload session's URL. */
  async start(): Promise<string> {
    const res = await this.client.request('POST', this.url('blobs/uploads/'));
    if (res.status !== 202) return this.fail(res);
    await res.body?.cancel();
    return this.location(res);
  }

  private location(res: Response): string {
    const loc = res.headers.get('location');
    if (!loc) throw internal('registry answered an upload without a Location');
    return new URL(loc, this.client.base).toString();
  }

  /**
   * Sends the blob's bytes (`chunks`, each at most chunkSize; see rechunk) to
   * the session at `location` and closes it with its digest. `onProgress`
   * gets the byte count sent so far.
   */
  async upload(location: string, digest: string, size: number, chunks: AsyncIterable<Buffer>, onProgress: (n: number) => void): Promise<void> {
    let url = location;
    let sent = 0;
    if (size <= chunkSize) {
      const parts: Buffer[] = [];
      for await (const c of chunks) parts.push(c);
      return this.finish(url, digest, Buffer.concat(parts), () => onProgress(size));
    }
    for await (const c of chunks) {
      const res = await this.client.request('PATCH', url, {
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${sent}-${sent + c.length - 1}` },
        body: c,
      });
      if (res.status !== 202) return this.fail(res);
      await res.body?.cancel();
      url = this.location(res);
      sent += c.length;
      onProgress(sent);
    }
    return this.finish(url, digest, undefined, () => undefined);
  }

  private async finish(location: string, digest: string, body: Buffer | undefined, done: () => void): Promise<void> {
    const u = new URL(location);
    u.searchParams.set('digest', digest);
    const res = await this.client.request('PUT', u.toString(), {
      headers: { 'Content-Type': 'application/octet-stream' },
      ...(body ? { body } : {}),
    });
    if (res.status !== 201) return this.fail(res);
    await res.body?.cancel();
    done();
  }

  /** PUT /v2/<name>/manifests/<tag>: the digest the registry gives (the sha256 of exactly these bytes). */
  async putManifest(tag: string, mediaType: string, body: Buffer): Promise<string | undefined> {
    const res = await this.client.request('PUT', this.url(`manifests/${tag}`), { headers: { 'Content-Type': mediaType }, body });
    if (res.status !== 201) return this.fail(res);
    await res.body?.cancel();
    return res.headers.get('docker-content-digest') ?? undefined;
  }
}

/** Regroups a byte stream into buffers of exactly `size` bytes (the last one shorter). */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size = chunkSize): AsyncIterable<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const piece of source) {
    let b = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (have + b.length >= size) {
      const take = size - have;
      parts.push(b.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      have = 0;
      b = b.subarray(take);
    }
    if (b.length) {
      parts.push(b);
      have += b.length;
    }
  }
  if (have) yield Buffer.concat(parts);
}
