/** Finding the mount that holds the rootfs, and whether it must be made private. */
import { describe, expect, it } from 'vitest';
import { MS_PRIVATE, MS_REC, MS_SHARED, MS_SLAVE } from '../spec/mount-options.js';
import { parentMount, rootfsParentToPrivatize } from './rootfs-parent.js';

const mountinfo = [
  '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '30 27 0:40 / /var/lib rw,relatime - ext4 /dev/vdb rw',
  '31 30 0:41 / /var/lib/c rw,relatime shared:9 - tmpfs tmpfs rw',
  '32 30 0:42 / /var/lib/c rw,relatime master:3 - tmpfs tmpfs rw',
  '33 27 0:43 / /var/lib\\040x rw shared:4 - tmpfs tmpfs rw',
].join('\n');

describe('parentMount', () => {
  it('picks the longest mount point holding the path, the top one when stacked, unescaping names', () => {
    expect(parentMount('/srv/rootfs', mountinfo)).toEqual({ mountPoint: '/', optional: ['shared:1'] });
    expect(parentMount('/var/lib/x/rootfs', mountinfo)?.mountPoint).toBe('/var/lib');
    expect(parentMount('/var/lib/c/b/rootfs', mountinfo)).toEqual({ mountPoint: '/var/lib/c', optional: ['master:3'] });
    expect(parentMount('/var/lib x/rootfs', mountinfo)?.mountPoint).toBe('/var/lib x');
    expect(parentMount('/var/libx/rootfs', mountinfo)?.mountPoint).toBe('/');
  });
});

describe('rootfsParentToPrivatize', () => {
  it('follows what the propagation change did to the parent', () => {
    // "/" gets the new propagation itself
    expect(rootfsParentToPrivatize('/srv/r', MS_SHARED, mountinfo)).toBe('/');
    expect(rootfsParentToPrivatize('/srv/r', MS_SLAVE | MS_REC, mountinfo)).toBeUndefined();
    // a deeper parent only with MS_REC; otherwise it keeps the host's state
    expect(rootfsParentToPrivatize('/var/lib/r', MS_SHARED | MS_REC, mountinfo)).toBe('/var/lib');
    expect(rootfsParentToPrivatize('/var/lib/r', MS_SHARED, mountinfo)).toBeUndefined();
    expect(rootfsParentToPrivatize('/var/lib x/r', MS_PRIVATE, mountinfo)).toBe('/var/lib x');
    expect(rootfsParentToPrivatize('/var/lib x/r', MS_PRIVATE | MS_REC, mountinfo)).toBeUndefined();
  });
});
