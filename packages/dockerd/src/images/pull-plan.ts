/**
 * The part of a pull that happens before any output: parse and normalise the
 * reference, reach the registry, fetch the manifest (or the list/index and
 * the manifest for the wanted platform) and the config. Errors here become
 * the HTTP status of the response (404 "manifest for x not found: ..."), as
 * dockerd answers when it has streamed nothing yet.
 */
import { invalidArgument, notFound } from '@berth/errors';
import type { Credentials } from '../registry/auth.js';
import { RegistryClient, type FetchedManifest } from '../registry/client.js';
import { probeRegistry } from '../registry/endpoint.js';
import type { RefNames } from '../registry/errors.js';
import { registrySettings } from '../registry/settings.js';
import { isIndex, type ImageConfig, type Index, type Manifest } from './media.js';
import { familiarName, familiarRepository, normalizeName, parseReference } from './reference.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface PullPlan {
  /** The containerd record name: 127.0.0.1:5000/busybox:latest. */
  name: string;
  /** busybox:latest, 127.0.0.1:5000/busybox@sha256:... */
  familiar: string;
  /** The tag or digest ("latest") the "Pulling from" line is about, and the path it names. */
  tagOrDigest: string;
  path: string;
  registry: RegistryClient;
  /** What the name points at: the index when there is one, else the manifest. */
  top: FetchedManifest;
  manifest: FetchedManifest & { doc: Manifest };
  config: { bytes: Buffer; doc: ImageConfig };
}

/** docker's --platform: os[/arch[/variant]], default linux/amd64. */
export function parsePlatform(raw: string | undefined): Platform {
  if (!raw) return { os: 'linux', architecture: 'amd64' };
  const [os = 'linux', architecture = 'amd64', variant] = raw.toLowerCase().split('/');
  return { os, architecture: architecture === 'x86_64' ? 'amd64' : architecture === 'aarch64' ? 'arm64' : architecture, ...(variant ? { variant } : {}) };
}

const platformText = (p: Platform): string => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

function pick(index: Index, want: Platform): Index['manifests'][number] {
  const match = index.manifests.find((m) => {
    const p = m.platform;
    if (!p || p.os !== want.os || p.architecture !== want.architecture) return false;
    return !want.variant || (p.variant ?? (p.architecture === 'arm64' ? 'v8' : '')) === want.variant;
  });
  if (!match) throw notFound(`no matching manifest for ${platformText(want)} in the manifest list entries`);
  return match;
}

/** fromImage (maybe with a tag or digest) and tag, as POST /images/create gets them. */
export function targetName(fromImage: string, tag: string): string {
  if (!tag) return normalizeName(fromImage);
  return normalizeName(tag.startsWith('sha256:') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`);
}

/**
 * The endpoint that has the manifest: for docker.io the --registry-mirror
 * endpoints in order first (a mirror that fails or lacks it is passed over,
 * as dockerd does), then the registry itself.
 */
async function firstAnswering(domain: string, path: string, creds: Credentials, names: RefNames, reference: string): Promise<{ registry: RegistryClient; top: FetchedManifest }> {
  const mirrors = domain === 'docker.io' ? registrySettings().mirrors : [];
  for (const mirror of mirrors) {
    const registry = new RegistryClient(domain, path, creds, names, 'pull', mirror.replace(/\/$/, ''));
    try {
      await registry.ping();
      return { registry, top: await registry.manifest(reference) };
    } catch {
      // the next mirror, or the registry itself, as dockerd falls back
    }
  }
  await probeRegistry(domain);
  const registry = new RegistryClient(domain, path, creds, names);
  await registry.ping();
  return { registry, top: await registry.manifest(reference) };
}

export async function planPull(fromImage: string, tag: string, platform: Platform, creds: Credentials): Promise<PullPlan> {
  const name = targetName(fromImage, tag);
  const ref = parseReference(name);
  const slash = ref.repository.indexOf('/');
  const domain = ref.repository.slice(0, slash);
  const path = ref.repository.slice(slash + 1);
  const names = { familiar: familiarName(name), familiarName: familiarRepository(ref.repository) };
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const { registry, top } = await firstAnswering(domain, path, creds, names, reference);
  let manifest = top;
  if (isIndex(top.mediaType)) {
    const entry = pick(JSON.parse(top.body.toString('utf8')) as Index, platform);
    manifest = await registry.manifest(entry.digest);
  }
  const doc = JSON.parse(manifest.body.toString('utf8')) as Manifest;
  if (!doc.config || !Array.isArray(doc.layers)) throw invalidArgument(`unsupported manifest media type: ${manifest.mediaType}`);
  const bytes = await registry.blobBytes(doc.config.digest);
  return {
    name,
    familiar: names.familiar,
    tagOrDigest: reference,
    path,
    registry,
    top,
    manifest: { ...manifest, doc },
    config: { bytes, doc: JSON.parse(bytes.toString('utf8')) as ImageConfig },
  };
}
