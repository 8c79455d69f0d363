/**
 * moby's image.Summary (GET /images/json) and image.InspectResponse
 * (GET /images/{name}/json) from a DockerImage.
 */
import { danglingPrefix, type DockerImage } from './store.js';
import { familiarName, familiarRepository, parseReference } from './reference.js';

/** Which record names to show; the reference filter narrows RepoTags/RepoDigests as moby does. */
export type NameFilter = (name: string) => boolean;
const all: NameFilter = () => true;

const named = (img: DockerImage, keep: NameFilter) => img.records.filter((r) => !r.name.startsWith(danglingPrefix) && keep(r.name));

export const repoTags = (img: DockerImage, keep: NameFilter = all): string[] =>
  [...new Set(named(img, keep).filter((r) => !parseReference(r.name).digest).map((r) => familiarName(r.name)))].sort();

/** repo@digest of what each name points at (the index of a multi-platform image, as docker shows). */
export function repoDigests(img: DockerImage, keep: NameFilter = all): string[] {
  const out = new Set(named(img, keep).map((r) => `${familiarRepository(parseReference(r.name).repository)}@${r.targetDigest}`));
  return [...out].sort();
}

export const createdDate = (img: DockerImage): Date | undefined => {
  const t = img.config.created ? Date.parse(img.config.created) : NaN;
  return Number.isNaN(t) ? undefined : new Date(t);
};

/** The created time as moby writes a time.Time: RFC 3339 with nanoseconds, trailing zeros trimmed. */
function rfc3339Nano(raw: string | undefined): string {
  if (!raw) return '0001-01-01T00:00:00Z';
  return raw;
}

export function imageLabels(img: DockerImage): Record<string, string> {
  const labels = img.config.config?.Labels;
  return labels && typeof labels === 'object' ? (labels as Record<string, string>) : {};
}

/** `size`: the unpacked size (layer-size.ts imageSize). */
export function summaryOf(img: DockerImage, size: number, keep: NameFilter = all): Record<string, unknown> {
  return {
    Containers: -1,
    Created: Math.floor((createdDate(img)?.getTime() ?? 0) / 1000),
    Id: img.id,
    Labels: imageLabels(img),
    ParentId: '',
    RepoDigests: repoDigests(img, keep),
    RepoTags: repoTags(img, keep),
    SharedSize: -1,
    Size: size,
  };
}

const lastTagTime = (img: DockerImage): string =>
  new Date(Math.max(...img.records.map((r) => r.updatedAt.getTime()))).toISOString();

/** The container config keys docker shows, from the image config's `config`. */
function containerConfig(img: DockerImage): Record<string, unknown> {
  const c = img.config.config ?? {};
  return {
    Hostname: '', Domainname: '', User: c.User ?? '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: false, OpenStdin: false, StdinOnce: false,
    Env: c.Env ?? null, Cmd: c.Cmd ?? null,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    Image: '', Volumes: c.Volumes ?? null, WorkingDir: c.WorkingDir ?? '', Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null, Labels: c.Labels ?? null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(c.Shell ? { Shell: c.Shell } : {}),
  };
}

export function inspectOf(img: DockerImage, size: number): Record<string, unknown> {
  return {
    Id: img.id,
    RepoTags: repoTags(img),
    RepoDigests: repoDigests(img),
    Parent: '',
    Comment: img.config.comment ?? '',
    Created: rfc3339Nano(img.config.created),
    DockerVersion: img.config.docker_version ?? '',
    Author: img.config.author ?? '',
    Config: containerConfig(img),
    Architecture: img.config.architecture ?? '',
    ...(img.config.variant ? { Variant: img.config.variant } : {}),
    Os: img.config.os ?? '',
    Size: size,
    GraphDriver: { Data: null, Name: 'overlayfs' },
    RootFS: { Type: img.config.rootfs?.type ?? 'layers', Layers: img.config.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: lastTagTime(img) },
  };
}
