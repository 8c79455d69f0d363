/**
 * The image pull that run and create fall back to (docker's "Unable to find
 * image 'x' locally", then the pull with its progress on stderr), through
 * the image commands' pullImage.
 */
import type { ApiClient } from '../client/api.js';
import { pullImage } from './pull.js';

export async function pullForCreate(api: ApiClient, ref: string, o: { quiet: boolean; platform?: string | undefined }): Promise<void> {
  await pullImage(api, ref, { quiet: o.quiet, platform: o.platform, out: process.stderr });
}
