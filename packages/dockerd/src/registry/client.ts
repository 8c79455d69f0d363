/**
 * A Distribution API v2 client: the /v2/ ping, manifests by tag or digest
 * (every schema2/OCI manifest and list type accepted), blobs as streams, and
 * authenticated requests of any method (upload.ts builds pushes on them). Plain HTTP for loopback registries (localhost, 127.0.0.0/8, ::1),
 * HTTPS otherwise, trusting certs.d CAs (tls.ts); docker.io is served by registry-1.docker.io. A 401 is
 * answered once with the challenge's scheme (Basic, or a Bearer token).
 */
import { internal, invalidArgument } from '@berth/errors';
import { authorize, parseChallenge, type Challenge, type Credentials } from './auth.js';
import { sha256 } from '../images/content.js';
import { registryError, transportError, type RefNames } from './errors.js';
import { registryScheme } from './endpoint.js';
import { registryFetch } from './tls.js';

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

/**
 * The one access rule for pull, push and login: plain HTTP for loopback
 * registries, HTTPS or else HTTP for those named by --insecure-registry
 * (endpoint.ts: probeRegistry first), HTTPS (with the system's CAs and the
 * registry's certs.d ones, tls.ts) for every other;
 * docker.io is served by registry-1.docker.io.
 */
export function registryBase(domain: string): string {
  const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
  return `${registryScheme(host)}://${host}`;
}

/** Go's http.Client names the method in its errors: Get, Head, Post, Put, Patch. */
const methodWord = (m: string): string => m.charAt(0) + m.slice(1).toLowerCase();

export class RegistryClient {
  readonly base: string;
  private authorization: string | undefined;
  private challenge: Challenge | undefined;
  /** Token scopes: `repository:<path>:pull` for pulls, `:pull,push` for pushes. */
  private readonly scopes: string[];

  /**
   * `domain` as in the reference (docker.io, 127.0.0.1:5000), `path` the
   * repository path (library/busybox); `actions` what a token must allow.
   */
  constructor(
    domain: string, readonly path: string, private readonly creds: Credentials, private readonly names: RefNames,
    actions = 'pull',
    /** Another endpoint serving this repository: a --registry-mirror for docker.io. */
    base?: string,
  ) {
    this.base = base ?? registryBase(domain);
    this.scopes = [`repository:${path}:${actions}`];
  }

  /** Also ask for pull access to another repository of this registry (a mount source); before the first request. */
  addScope(scope: string): void {
    if (!this.scopes.includes(scope)) this.scopes.push(scope);
  }

  /**
   * One request with the registry's auth: a 401 is answered once with the
   * challenge's scheme and the request sent again (bodies are buffers, so
   * they can be). Network failures read like Go's (`Head "url": dial tcp ...`).
   */
  async request(method: string, url: string, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
    const attempt = () => registryFetch(url, {
      method,
      headers: { ...init.headers, ...(this.authorization ? { Authorization: this.authorization } : {}) },
      ...(init.body ? { body: init.body } : {}),
      redirect: 'follow',
    });
    let res: Response;
    try {
      res = await attempt();
      // a 401 gets one answer: the first credentials, or a fresh token for one that expired during a long pull or push
      const expired = this.authorization !== undefined && this.challenge?.scheme === 'bearer' && !this.creds.registrytoken;
      if (res.status === 401 && (!this.authorization || expired)) {
        const challenge = parseChallenge(res.headers.get('www-authenticate')) ?? { scheme: '', params: {} };
        this.challenge = challenge;
        const auth = await authorize(challenge, this.creds, this.scopes);
        if (auth) {
          await res.body?.cancel();
          this.authorization = auth;
          res = await attempt();
        }
      }
    } catch (err) {
      throw transportError(url, err, methodWord(method));
    }
    return res;
  }

  /** The scheme of the last 401 challenge ('basic', 'bearer'), for "no basic auth credentials". */
  get challengeScheme(): string | undefined {
    return this.challenge?.scheme;
  }

  private send(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('GET', url, { headers });
  }

  /** A refused pull request in dockerd's words; `method url` name it when Go's client would (no basic auth credentials). */
  private async fail(res: Response, method: string, url: string): Promise<never> {
    const body = await res.text().catch(() => '');
    if (res.status === 401 && this.creds.username === undefined && this.challenge?.scheme === 'basic') {
      throw internal(`${method} "${url}": no basic auth credentials`);
    }
    throw registryError(res.status, body, this.names, res.headers.get('www-authenticate'));
  }

  /** GET /v2/: reachability (and the auth challenge, answered on the first real request). */
  async ping(): Promise<void> {
    const url = `${this.base}/v2/`;
    const res = await this.send(url);
    await res.body?.cancel();
    if (!res.ok && res.status !== 401) throw invalidArgument(`Get "${url}": unexpected status ${res.status}`);
  }

  async manifest(reference: string): Promise<FetchedManifest> {
    const url = `${this.base}/v2/${this.path}/manifests/${reference}`;
    const res = await this.send(url, { Accept: manifestAccept });
    // dockerd asks for a manifest with HEAD first: its errors name that request
    if (!res.ok) return this.fail(res, 'Head', url);
    const body = Buffer.from(await res.arrayBuffer());
    const parsed = JSON.parse(body.toString('utf8')) as { mediaType?: string };
    const mediaType = parsed.mediaType ?? res.headers.get('content-type')?.split(';')[0] ?? '';
    const digest = sha256(body);
    if (reference.startsWith('sha256:') && reference !== digest) throw invalidArgument(`manifest verification failed for digest ${reference}`);
    return { body, mediaType, digest };
  }

  /** A blob's body as a web stream; the caller verifies the digest. */
  async blob(digest: string): Promise<ReadableStream<Uint8Array>> {
    const url = `${this.base}/v2/${this.path}/blobs/${digest}`;
    const res = await this.send(url);
    if (!res.ok || !res.body) return this.fail(res, 'Get', url);
    return res.body;
  }

  async blobBytes(digest: string): Promise<Buffer> {
    const url = `${this.base}/v2/${this.path}/blobs/${digest}`;
    const res = await this.send(url);
    if (!res.ok) return this.fail(res, 'Get', url);
    return Buffer.from(await res.arrayBuffer());
  }
}
