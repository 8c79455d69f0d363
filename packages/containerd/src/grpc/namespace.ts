/**
 * The namespace of a call travels in gRPC metadata "containerd-namespace" (ctr
 * and the containerd client set it from --namespace / CONTAINERD_NAMESPACE).
 * Required the way containerd's namespaces.NamespaceRequired requires it.
 */
import type { Metadata } from '@grpc/grpc-js';
import { failedPrecondition, invalidArgument, isBerthError } from '@berth/errors';
import { validateIdentifier } from '../identifiers.js';

export const namespaceHeader = 'containerd-namespace';

/** The namespace the caller sent, if any (not validated). */
export function namespaceOf(metadata: Metadata): string | undefined {
  const values = metadata.get(namespaceHeader);
  const first = values[0];
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** The caller's namespace: FailedPrecondition when missing, InvalidArgument when malformed. */
export function namespaceRequired(metadata: Metadata): string {
  const ns = namespaceOf(metadata);
  if (ns === undefined || ns === '') throw failedPrecondition('namespace is required');
  try {
    validateIdentifier(ns);
  } catch (err) {
    if (isBerthError(err)) throw invalidArgument(`namespace validation: ${err.message}`, err);
    throw err;
  }
  return ns;
}
