import { describe, expect, it } from 'vitest';
import { resolveUser } from './user.js';

const passwd = 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/:/bin/false\nbob:x:1000:100::/home/bob:/bin/sh\n';
const group = 'root:x:0:\nwheel:x:10:root,bob\nusers:x:100:\nstaff:x:50:bob\n';

describe('--user resolution', () => {
  it('resolves names, numbers and groups like docker', () => {
    expect(resolveUser('', passwd, group)).toEqual({ uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' });
    expect(resolveUser('bob', passwd, group)).toEqual({ uid: 1000, gid: 100, additionalGids: [100, 10, 50], home: '/home/bob' });
    expect(resolveUser('1000:0', passwd, group)).toEqual({ uid: 1000, gid: 0, additionalGids: [0], home: '/home/bob' });
    expect(resolveUser('4242', passwd, group)).toEqual({ uid: 4242, gid: 0, additionalGids: [0], home: '/' });
    expect(resolveUser('daemon:staff', passwd, group, ['wheel'])).toEqual({ uid: 1, gid: 50, additionalGids: [50, 10], home: '/' });
    expect(resolveUser('1234:5678', undefined, undefined)).toEqual({ uid: 1234, gid: 5678, additionalGids: [5678], home: '/' });
  });

  it('refuses names the image does not have', () => {
    expect(() => resolveUser('nobody', passwd, group)).toThrow(/unable to find user nobody: no matching entries in passwd file/);
    expect(() => resolveUser('bob:nogroup', passwd, group)).toThrow(/unable to find group nogroup/);
  });
});
