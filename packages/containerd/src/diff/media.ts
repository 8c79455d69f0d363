/**
 * Layer media types and their compression (containerd's images.DiffCompression).
 * The stream is decompressed by what its first bytes say (decompress.ts), as
 * containerd's DecompressStream does; the media type only has to be a layer.
 */
import { notImplemented } from '@berth/errors';

export const MediaTypes = {
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  nondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeign: 'application/vnd.docker.image.rootfs.foreign.diff.tar',
  dockerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export type Compression = 'none' | 'gzip' | 'zstd' | 'unknown';

/** The compression a layer media type declares; NotImplemented for anything that is not a layer. */
export function diffCompression(mediaType: string): Compression {
  const [base = '', ...ext] = mediaType.split('+');
  ext.sort();
  switch (base) {
    case MediaTypes.dockerLayer:
    case MediaTypes.dockerForeign:
      return ext.length > 0 ? 'none' : 'unknown';
    case MediaTypes.dockerLayerGzip:
    case MediaTypes.dockerForeignGzip:
      return ext.length > 0 ? 'none' : 'gzip';
    case MediaTypes.layer:
    case MediaTypes.nondistributable: {
      const last = ext[ext.length - 1];
      return last === 'gzip' ? 'gzip' : last === 'zstd' ? 'zstd' : 'none';
    }
    default:
      throw notImplemented(`failed to get stream processor for ${mediaType}: no processor for media-type`);
  }
}

/** What Diff can write: uncompressed or gzip (containerd's walking differ default). */
export function diffOutputCompression(mediaType: string): 'none' | 'gzip' {
  switch (mediaType) {
    case MediaTypes.layer:
    case MediaTypes.dockerLayer:
      return 'none';
    case '':
    case MediaTypes.layerGzip:
    case MediaTypes.dockerLayerGzip:
      return 'gzip';
    default:
      throw notImplemented(`unsupported diff media type: ${mediaType}`);
  }
}
