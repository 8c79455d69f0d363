/** berth-runc's cgroup manager (runc 1.1 cgroupfs driver semantics). */
export type { CgroupManager } from './manager.js';
export { cgroupManager, cgroupManagerFromPaths } from './manager.js';
export type { CgroupLayout, CgroupMode, CgroupMount } from './paths.js';
export { cgroupMode, cleanCgroupPath, detectLayout, detectMode, parseMountInfo, parseProcCgroup, resolveCgroupPaths } from './paths.js';
export type * from './stats-types.js';
export { statsToJSON } from './stats-types.js';
export { RUNC_DEFAULT_ALLOWED_DEVICES } from './devices.js';
export { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2 } from './convert.js';
