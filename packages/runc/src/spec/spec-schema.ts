/**
 * The field order and omitempty rules of the Go structs in
 * github.com/opencontainers/runtime-spec/specs-go (1.0.2 through 1.1, plus
 * the few later Linux fields: netDevices, memoryPolicy, execCPUAffinity,
 * intelRdt.schemata/enableMonitoring, each in the place upstream put it).
 * encoding/json writes struct fields in declaration order, so this table, not
 * the order of keys in a JS object, decides where each member lands.
 *
 * How Go's rules map onto JS values (undefined and null both mean "nil"):
 * - `opt` (omitempty on a value): left out when "", false, 0, or an empty
 *   slice/map; otherwise written.
 * - `ptr` (omitempty on a pointer): left out only when nil; 0, false and {}
 *   are written (e.g. "oomScoreAdj": 0, "disableOOMKiller": false).
 * - `req` (no omitempty): always written; a missing scalar is written as Go's
 *   zero value, a missing slice or map as null, a missing struct as its zero.
 *   Where 1.1 and later specs disagree we follow 1.1: linux.resources.pids.limit
 *   is a plain int64 there, so it is always written.
 * Members a struct does not declare (solaris, windows, vm, vendor extras) are
 * kept after the declared ones in their own order. Go would drop them; we keep
 * them because runc ignores unknown fields and losing a user's data is worse.
 */

export type GoType =
  | 'string'
  | 'bool'
  | 'int'
  | 'uint'
  | 'any'
  | { readonly slice: GoType }
  | { readonly map: GoType }
  | { readonly struct: readonly GoField[] };

export interface GoField {
  readonly key: string;
  readonly type: GoType;
  readonly omitEmpty: boolean;
  readonly pointer: boolean;
}

/** A field without omitempty. */
export const req = (key: string, type: GoType): GoField => ({ key, type, omitEmpty: false, pointer: false });
/** A value field with omitempty. */
export const opt = (key: string, type: GoType): GoField => ({ key, type, omitEmpty: true, pointer: false });
/** A pointer field with omitempty. */
export const ptr = (key: string, type: GoType): GoField => ({ key, type, omitEmpty: true, pointer: true });
export const struct = (...fields: GoField[]): GoType => ({ struct: fields });
export const slice = (t: GoType): GoType => ({ slice: t });
export const map = (t: GoType): GoType => ({ map: t });

const S = 'string';
const B = 'bool';
const I = 'int';
const U = 'uint';
const strings = slice(S);

const idMapping = struct(req('containerID', U), req('hostID', U), req('size', U));
const hook = struct(req('path', S), opt('args', strings), opt('env', strings), ptr('timeout', I));

const scheduler = struct(
  req('policy', S),
  opt('nice', I),
  opt('priority', I),
  opt('flags', strings),
  opt('runtime', U),
  opt('deadline', U),
  opt('period', U),
);

const process = struct(
  opt('terminal', B),
  ptr('consoleSize', struct(req('height', U), req('width', U))),
  req(
    'user',
    struct(req('uid', U), req('gid', U), ptr('umask', U), opt('additionalGids', slice(U)), opt('username', S)),
  ),
  opt('args', strings),
  opt('commandLine', S),
  opt('env', strings),
  req('cwd', S),
  ptr(
    'capabilities',
    struct(
      opt('bounding', strings),
      opt('effective', strings),
      opt('inheritable', strings),
      opt('permitted', strings),
      opt('ambient', strings),
    ),
  ),
  opt('rlimits', slice(struct(req('type', S), req('hard', U), req('soft', U)))),
  opt('noNewPrivileges', B),
  opt('apparmorProfile', S),
  ptr('oomScoreAdj', I),
  ptr('scheduler', scheduler),
  opt('selinuxLabel', S),
  ptr('ioPriority', struct(req('class', S), req('priority', I))),
  ptr('execCPUAffinity', struct(opt('initial', S), opt('final', S))),
);

const mount = struct(
  req('destination', S),
  opt('type', S),
  opt('source', S),
  opt('options', strings),
  opt('uidMappings', slice(idMapping)),
  opt('gidMappings', slice(idMapping)),
);

const hooks = struct(
  opt('prestart', slice(hook)),
  opt('createRuntime', slice(hook)),
  opt('createContainer', slice(hook)),
  opt('startContainer', slice(hook)),
  opt('poststart', slice(hook)),
  opt('poststop', slice(hook)),
);

const throttleDevice = struct(req('major', I), req('minor', I), req('rate', U));

const resources = struct(
  opt(
    'devices',
    slice(struct(req('allow', B), opt('type', S), ptr('major', I), ptr('minor', I), opt('access', S))),
  ),
  ptr(
    'memory',
    struct(
      ptr('limit', I),
      ptr('reservation', I),
      ptr('swap', I),
      ptr('kernel', I),
      ptr('kernelTCP', I),
      ptr('swappiness', U),
      ptr('disableOOMKiller', B),
      ptr('useHierarchy', B),
      ptr('checkBeforeUpdate', B),
    ),
  ),
  ptr(
    'cpu',
    struct(
      ptr('shares', U),
      ptr('quota', I),
      ptr('burst', U),
      ptr('period', U),
      ptr('realtimeRuntime', I),
      ptr('realtimePeriod', U),
      opt('cpus', S),
      opt('mems', S),
      ptr('idle', I),
    ),
  ),
  ptr('pids', struct(req('limit', I))),
  ptr(
    'blockIO',
    struct(
      ptr('weight', U),
      ptr('leafWeight', U),
      opt('weightDevice', slice(struct(req('major', I), req('minor', I), ptr('weight', U), ptr('leafWeight', U)))),
      opt('throttleReadBpsDevice', slice(throttleDevice)),
      opt('throttleWriteBpsDevice', slice(throttleDevice)),
      opt('throttleReadIOPSDevice', slice(throttleDevice)),
      opt('throttleWriteIOPSDevice', slice(throttleDevice)),
    ),
  ),
  opt('hugepageLimits', slice(struct(req('pageSize', S), req('limit', U)))),
  ptr('network', struct(ptr('classID', U), opt('priorities', slice(struct(req('name', S), req('priority', U)))))),
  opt('rdma', map(struct(ptr('hcaHandles', U), ptr('hcaObjects', U)))),
  opt('unified', map(S)),
);

const seccomp = struct(
  req('defaultAction', S),
  ptr('defaultErrnoRet', U),
  opt('architectures', strings),
  opt('flags', strings),
  opt('listenerPath', S),
  opt('listenerMetadata', S),
  opt(
    'syscalls',
    slice(
      struct(
        req('names', strings),
        req('action', S),
        ptr('errnoRet', U),
        opt('args', slice(struct(req('index', U), req('value', U), opt('valueTwo', U), req('op', S)))),
      ),
    ),
  ),
);

const linux = struct(
  opt('uidMappings', slice(idMapping)),
  opt('gidMappings', slice(idMapping)),
  opt('sysctl', map(S)),
  ptr('resources', resources),
  opt('cgroupsPath', S),
  opt('namespaces', slice(struct(req('type', S), opt('path', S)))),
  opt(
    'devices',
    slice(
      struct(
        req('path', S),
        req('type', S),
        req('major', I),
        req('minor', I),
        ptr('fileMode', U),
        ptr('uid', U),
        ptr('gid', U),
      ),
    ),
  ),
  opt('netDevices', map(struct(opt('name', S)))),
  ptr('seccomp', seccomp),
  opt('rootfsPropagation', S),
  opt('maskedPaths', strings),
  opt('readonlyPaths', strings),
  opt('mountLabel', S),
  ptr(
    'intelRdt',
    struct(
      opt('closID', S),
      opt('schemata', strings),
      opt('l3CacheSchema', S),
      opt('memBwSchema', S),
      opt('enableCMT', B),
      opt('enableMBM', B),
      opt('enableMonitoring', B),
    ),
  ),
  ptr('memoryPolicy', struct(req('mode', S), opt('nodes', S), opt('flags', strings))),
  ptr('personality', struct(req('domain', S), opt('flags', strings))),
  opt('timeOffsets', map(struct(opt('secs', I), opt('nanosecs', U)))),
);

/** specs.Spec. */
export const SPEC_TYPE: GoType = struct(
  req('ociVersion', S),
  ptr('process', process),
  ptr('root', struct(req('path', S), opt('readonly', B))),
  opt('hostname', S),
  opt('domainname', S),
  opt('mounts', slice(mount)),
  ptr('hooks', hooks),
  opt('annotations', map(S)),
  ptr('linux', linux),
);
