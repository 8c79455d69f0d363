/** The OCI runtime-spec types berthd writes, taken from @berth/runc (types only: berthd never loads the runtime). */
import type { LinuxResources, Process, Spec } from '@berth/runc';

export type { LinuxResources, Process, Spec };
export type Mount = NonNullable<Spec['mounts']>[number];
export type Linux = NonNullable<Spec['linux']>;
export type LinuxDeviceCgroup = NonNullable<LinuxResources['devices']>[number];
export type LinuxDevice = NonNullable<Linux['devices']>[number];
export type Rlimit = NonNullable<Process['rlimits']>[number];
export type Seccomp = NonNullable<Linux['seccomp']>;
