/**
 * POST /containers/create as docker's client does it: with --pull always the
 * image is pulled first; when the daemon answers 404 for the image (and
 * --pull is not never) "Unable to find image 'x:latest' locally" goes to
 * stderr, the image is pulled, and the create is tried again. Warnings of the
 * answer are printed to stderr; --cidfile gets the id.
 */
import fs from 'node:fs';
import type { ApiClient } from '../client/api.js';
import { ExitError } from '../errors.js';
import type { CreateRequest } from './container-create-config.js';
import { checkEndpointMacs } from './network-endpoints.js';
import { isNotFound } from './container-common.js';
import { pullForCreate } from './container-pull.js';

/** docker's TagNameOnly + FamiliarString: a reference without tag or digest gets ":latest". */
export function taggedRef(image: string): string {
  const slash = image.lastIndexOf('/');
  return image.includes('@') || image.slice(slash + 1).includes(':') ? image : `${image}:latest`;
}

export interface CreateOptions {
  pull?: string | undefined;
  quiet?: boolean | undefined;
  cidfile?: string | undefined;
}

export async function createContainer(api: ApiClient, req: CreateRequest, o: CreateOptions): Promise<string> {
  const pull = o.pull ?? 'missing';
  if (!['always', 'missing', 'never'].includes(pull)) {
    throw new ExitError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`, 125);
  }
  if (o.cidfile && fs.existsSync(o.cidfile)) throw new ExitError(`container ID file found, make sure the other container isn't running or delete ${o.cidfile}`, 125);
  checkEndpointMacs(req.body, await api.apiVersion());
  const image = String(req.body.Image);
  const q = new URLSearchParams();
  if (req.name) q.set('name', req.name);
  if (req.platform) q.set('platform', req.platform);
  const path = `/containers/create${q.size ? `?${q.toString()}` : ''}`;
  const pullOpts = { quiet: Boolean(o.quiet), platform: req.platform };
  if (pull === 'always') await pullForCreate(api, taggedRef(image), pullOpts);
  let text: string;
  try {
    text = await api.send(path, { method: 'POST', body: req.body });
  } catch (err) {
    if (!isNotFound(err) || pull !== 'missing' || !/No such image/i.test((err as Error).message)) throw err;
    process.stderr.write(`Unable to find image '${taggedRef(image)}' locally\n`);
    await pullForCreate(api, taggedRef(image), pullOpts);
    text = await api.send(path, { method: 'POST', body: req.body });
  }
  const res = JSON.parse(text) as { Id: string; Warnings?: string[] | null };
  for (const w of res.Warnings ?? []) process.stderr.write(`WARNING: ${w}\n`);
  if (o.cidfile) fs.writeFileSync(o.cidfile, res.Id);
  return res.Id;
}
