/**
 * docker's --user resolution against the image's /etc/passwd and /etc/group:
 * "name", "uid", "name:group", "uid:gid"; a name must exist (docker's
 * "unable to find user x: no matching entries in passwd file"), numbers need
 * not. Supplementary groups are the groups listing the user by name, plus
 * --group-add.
 */
import { invalidArgument } from '@berth/errors';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** The user's home from passwd ("/" without an entry): HOME when the env has none, as runc sets it. */
  home: string;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

const isNum = (s: string) => /^\d+$/.test(s);

function parsePasswd(text: string | undefined): PasswdEntry[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#') || !isNum(f[2] ?? '') || !isNum(f[3] ?? '')) return [];
    return [{ name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' }];
  });
}

function parseGroup(text: string | undefined): GroupEntry[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#') || !isNum(f[2] ?? '')) return [];
    return [{ name: f[0] ?? '', gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }];
  });
}

export function resolveUser(spec: string, passwdText: string | undefined, groupText: string | undefined, groupAdd: string[] = []): ResolvedUser {
  const passwd = parsePasswd(passwdText);
  const groups = parseGroup(groupText);
  const [userPart = '', groupPart] = spec.split(':', 2);
  const who = userPart === '' ? '0' : userPart;
  let entry = passwd.find((p) => (isNum(who) ? p.uid === Number(who) : p.name === who));
  if (!entry) {
    if (!isNum(who)) throw invalidArgument(`unable to find user ${who}: no matching entries in passwd file`);
    entry = { name: '', uid: Number(who), gid: 0, home: '/' };
  }
  let gid = entry.gid;
  if (groupPart !== undefined && groupPart !== '') {
    const g = groups.find((x) => (isNum(groupPart) ? x.gid === Number(groupPart) : x.name === groupPart));
    if (!g && !isNum(groupPart)) throw invalidArgument(`unable to find group ${groupPart}: no matching entries in group file`);
    gid = g ? g.gid : Number(groupPart);
  }
  const extra = new Set<number>();
  // with an explicit group, docker does not add the user's other groups
  if (groupPart === undefined && entry.name !== '') for (const g of groups) if (g.members.includes(entry.name)) extra.add(g.gid);
  for (const add of groupAdd) {
    const g = groups.find((x) => (isNum(add) ? x.gid === Number(add) : x.name === add));
    if (!g && !isNum(add)) throw invalidArgument(`Unable to find group ${add}: no matching entries in group file`);
    extra.add(g ? g.gid : Number(add));
  }
  // docker keeps the primary group in the list too (runc's setgroups)
  return { uid: entry.uid, gid, additionalGids: [gid, ...[...extra].filter((g) => g !== gid)], home: entry.home };
}
