/** OCI namespace types, their clone flags and /proc/<pid>/ns names. */
import fs from 'node:fs';
import { invalidArgument } from '@berth/errors';
import type { Namespace, NamespaceType } from '../spec/types.js';

export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;

export const namespaceFlag: Record<Exclude<NamespaceType, 'time'>, number> = {
  mount: CLONE_NEWNS,
  cgroup: CLONE_NEWCGROUP,
  uts: CLONE_NEWUTS,
  ipc: CLONE_NEWIPC,
  user: CLONE_NEWUSER,
  pid: CLONE_NEWPID,
  network: CLONE_NEWNET,
};

/** The file name under /proc/<pid>/ns for each type. */
export const procNsName: Record<Exclude<NamespaceType, 'time'>, string> = {
  mount: 'mnt',
  cgroup: 'cgroup',
  uts: 'uts',
  ipc: 'ipc',
  user: 'user',
  pid: 'pid',
  network: 'net',
};

/** Join order: the user namespace first, so the others are joined with its privileges. */
const joinOrder: Exclude<NamespaceType, 'time'>[] = ['user', 'ipc', 'uts', 'network', 'pid', 'mount', 'cgroup'];

export interface NamespacePlan {
  cloneFlags: number;
  join: { type: number; path: string; name: Exclude<NamespaceType, 'time'> }[];
  /** Every type the container has, new or joined. */
  types: Set<Exclude<NamespaceType, 'time'>>;
}

export function planNamespaces(list: Namespace[] | undefined, exists: (p: string) => boolean = fs.existsSync): NamespacePlan {
  const out: NamespacePlan = { cloneFlags: 0, join: [], types: new Set() };
  (list ?? []).forEach((ns, i) => {
    const field = `linux.namespaces[${i}]`;
    if (ns.type === 'time') throw invalidArgument(`${field}.type: time namespaces are not supported`);
    const flag = namespaceFlag[ns.type as Exclude<NamespaceType, 'time'>];
    if (flag === undefined) throw invalidArgument(`${field}.type: namespace type "${String(ns.type)}" is not supported`);
    if (out.types.has(ns.type)) throw invalidArgument(`${field}: malformed spec file: duplicated ns "${ns.type}"`);
    out.types.add(ns.type);
    if (ns.path) {
      if (!exists(ns.path)) throw invalidArgument(`${field}.path: namespace path ${ns.path} does not exist`);
      out.join.push({ type: flag, path: ns.path, name: ns.type });
    } else {
      out.cloneFlags |= flag;
    }
  });
  out.join.sort((a, b) => joinOrder.indexOf(a.name) - joinOrder.indexOf(b.name));
  return out;
}

/** The namespaces of a running process, for exec (user first, as for any join). */
export function joinProcessNamespaces(pid: number, types: Iterable<Exclude<NamespaceType, 'time'>>): NamespacePlan['join'] {
  const list = [...types].map((name) => ({ type: namespaceFlag[name], path: `/proc/${pid}/ns/${procNsName[name]}`, name }));
  return list.sort((a, b) => joinOrder.indexOf(a.name) - joinOrder.indexOf(b.name));
}
