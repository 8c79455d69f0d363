/**
 * Tri-colour marking (gc.Tricolor): from the roots, follow references
 * depth first; everything reached is kept. A node reached both flat and not
 * is visited both ways, and kept once.
 */
import type { GcNode } from './types.js';

/** Identity of a node for the keep set (flat or not does not matter there). */
export const nodeId = (n: GcNode): string => `${n.type}\u0000${n.namespace}\u0000${n.key}`;
const visitId = (n: GcNode): string => `${nodeId(n)}\u0000${n.flat === true ? 'flat' : ''}`;

export async function mark(roots: GcNode[], references: (n: GcNode) => Promise<GcNode[]>): Promise<Set<string>> {
  const grays = [...roots];
  const seen = new Set<string>();
  const reachable = new Set<string>();
  while (grays.length > 0) {
    const node = grays.pop()!;
    const id = visitId(node);
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of await references(node)) if (!seen.has(visitId(next))) grays.push(next);
    reachable.add(nodeId(node));
  }
  return reachable;
}
