/**
 * A Distribution API v2 client for pulling: the /v2/ ping, manifests by tag
 * or digest (every schema2/OCI manifest and list type accepted), and blobs as
 * streams. Plain HTTP for loopback registries (localhost, 127.0.0.0/8, ::1),
 * HTTPS otherwise; docker.io is served by registry-1.docker.io. A 401 is
 * answered once with the challenge's scheme (Basic, or a Bearer token).
 */
import { invalidArgument } from '@berth/errors';
import { authorize, parseChallenge, type Credentials } from './auth.js';
import { sha256 } from '../images/content.js';
import { registryError, transportError, type RefNames } from './errors.js';

export const manifestAccept = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export interface FetchedManifest {
  body: Buffer;
  mediaType: string;
  digest: string;
}

const isLoopback = (host: string): boolean => {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0] ?? '';
  return name === 'localhost' || name === '::1' || /^127\./.test(name);
};

export class RegistryClient {
  readonly base: string;
  private authorization: string | undefined;

  /** `domain` as in the reference (docker.io, 127.0.0.1:5000), `path` the repository path (library/busybox). */
  constructor(domain: string, readonly path: string, private readonly creds: Credentials, private readonly names: RefNames) {
    const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
    this.base = `${isLoopback(host) ? 'http' : 'https'}://${host}`;
  }

  private async send(url: string, headers: Record<string, string> = {}): Promise<Response> {
    const attempt = () => fetch(url, { headers: { ...headers, ...(this.authorization ? { Authorization: this.authorization } : {}) }, redirect: 'follow' });
    let res: Response;
    try {
      res = await attempt();
      if (res.status === 401 && !this.authorization) {
        const auth = await authorize(parseChallenge(res.headers.get('www-authenticate')) ?? { scheme: '', params: {} }, this.creds, this.path);
        if (auth) {
          await res.body?.cancel();
          this.authorization = auth;
          res = await attempt();
        }
      }
    } catch (err) {
      throw transportError(url, err);
    }
    return res;
  }

  private async fail(res: Response): Promise<never> {
    throw registryError(res.status, await res.text().catch(() => ''), this.names);
  }

  /** GET /v2/: reachability (and the auth challenge, answered on the first real request). */
  async ping(): Promise<void> {
    const url = `${this.base}/v2/`;
    const res = await this.send(url);
    await res.body?.cancel();
    if (!res.ok && res.status !== 401) throw invalidArgument(`Get "${url}": unexpected status ${res.status}`);
  }

  async manifest(reference: string): Promise<FetchedManifest> {
    const res = await this.send(`${this.base}/v2/${this.path}/manifests/${reference}`, { Accept: manifestAccept });
    if (!res.ok) return this.fail(res);
    const body = Buffer.from(await res.arrayBuffer());
    const parsed = JSON.parse(body.toString('utf8')) as { mediaType?: string };
    const mediaType = parsed.mediaType ?? res.headers.get('content-type')?.split(';')[0] ?? '';
    const digest = sha256(body);
    if (reference.startsWith('sha256:') && reference !== digest) throw invalidArgument(`manifest verification failed for digest ${reference}`);
    return { body, mediaType, digest };
  }

  /** A blob's body as a web stream; the caller verifies the digest. */
  async blob(digest: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.send(`${this.base}/v2/${this.path}/blobs/${digest}`);
    if (!res.ok || !res.body) return this.fail(res);
    return res.body;
  }

  async blobBytes(digest: string): Promise<Buffer> {
    const res = await this.send(`${this.base}/v2/${this.path}/blobs/${digest}`);
    if (!res.ok) return this.fail(res);
    return Buffer.from(await res.arrayBuffer());
  }
}
