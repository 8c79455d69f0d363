/**
 * The plugin table introspection reports, in containerd's vocabulary (type, id,
 * requires, exports). Only what this daemon actually serves is listed, so a
 * client that checks for a plugin learns the truth.
 */
import path from 'node:path';
import type { Plugin } from '../gen/containerd/services/introspection/v1/introspection_pb.js';
import { plugin } from '../services/introspection.js';
import { storagePluginRows } from './storage.js';

export const PluginType = {
  event: 'io.containerd.event.v1',
  metadata: 'io.containerd.metadata.v1',
  service: 'io.containerd.service.v1',
  grpc: 'io.containerd.grpc.v1',
} as const;

export function metadataPath(root: string): string {
  return path.join(root, `${PluginType.metadata}.level`);
}

export function servedPlugins(root: string): Plugin[] {
  const storage = storagePluginRows(root);
  return [
    plugin({ type: PluginType.event, id: 'exchange' }),
    storage.early[0]!, // content
    plugin({ type: PluginType.metadata, id: 'level', exports: { path: metadataPath(root) } }),
    ...storage.early.slice(1), // gc
    plugin({ type: PluginType.service, id: 'introspection-service' }),
    ...storage.services,
    plugin({ type: 'io.containerd.runtime.v2', id: 'task', requires: [PluginType.event, PluginType.metadata] }),
    plugin({ type: PluginType.service, id: 'containers-service', requires: [PluginType.event, PluginType.metadata] }),
    plugin({ type: PluginType.service, id: 'tasks-service', requires: ['io.containerd.runtime.v2', PluginType.metadata] }),
    plugin({ type: PluginType.service, id: 'namespaces-service', requires: [PluginType.event, PluginType.metadata] }),
    ...storage.grpc,
    plugin({ type: PluginType.grpc, id: 'containers', requires: [PluginType.service] }),
    plugin({ type: PluginType.grpc, id: 'introspection', requires: [PluginType.service] }),
    plugin({ type: PluginType.grpc, id: 'events', requires: [PluginType.event] }),
    plugin({ type: PluginType.grpc, id: 'healthcheck' }),
    plugin({ type: PluginType.grpc, id: 'namespaces', requires: [PluginType.service] }),
    plugin({ type: PluginType.grpc, id: 'tasks', requires: [PluginType.service] }),
    plugin({ type: PluginType.grpc, id: 'version' }),
  ];
}
