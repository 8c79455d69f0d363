import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { ociTypeUrl, unpackJson } from './json-any.js';

const pack = (typeUrl: string, text: string) => create(AnySchema, { typeUrl, value: new TextEncoder().encode(text) });

describe('OCI JSON in Any', () => {
  it('decodes what containerd packs (Exec spec, Update resources)', () => {
    expect(unpackJson(pack(ociTypeUrl('Process'), '{"args":["true"]}'), 'Process')).toEqual({ args: ['true'] });
    expect(unpackJson(pack(ociTypeUrl('LinuxResources'), '{"pids":{"limit":5}}'), 'LinuxResources')).toEqual({ pids: { limit: 5 } });
  });

  it('rejects other types, bad JSON and missing values as InvalidArgument', () => {
    expect(() => unpackJson(pack('containerd.runc.v1.Options', '{}'), 'Process')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => unpackJson(pack(ociTypeUrl('Process'), '{'), 'Process')).toThrow('Process: invalid JSON');
    expect(() => unpackJson(pack(ociTypeUrl('Process'), '[1]'), 'Process')).toThrow('must be a JSON object');
    expect(() => unpackJson(undefined, 'Process')).toThrow('Process is required');
  });
});
