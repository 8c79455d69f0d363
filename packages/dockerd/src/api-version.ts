/**
 * The Engine API versions berthd serves (moby api/common.go) and moby's
 * version comparison: dotted numbers compared part by part.
 */
export const apiVersion = '1.45';
export const minApiVersion = '1.24';

/** <0, 0, >0 like moby's versions.compare. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.parseInt(pa[i] ?? '0', 10) || 0;
    const y = Number.parseInt(pb[i] ?? '0', 10) || 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
