import { describe, expect, it } from 'vitest';
import { create, createRegistry, toBinary } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { isBerthError } from '@berth/errors';
import { OptionsSchema } from './gen/containerd/runtime/v2/runc/options/oci_pb.js';
import { TaskExitSchema } from './gen/containerd/events/task_pb.js';
import { packAny, unpackAny, unpackAs } from './typeurl.js';

describe('Any, the containerd way', () => {
  it('packs with the bare message name as type URL', () => {
    const any = packAny(OptionsSchema, { binaryName: '/usr/bin/runc', root: '/run/x' });
    expect(any.typeUrl).toBe('containerd.runc.v1.Options');
    expect(unpackAs(any, OptionsSchema).binaryName).toBe('/usr/bin/runc');
  });

  it('unpacks prefixed URLs too, and refuses the wrong type', () => {
    const value = toBinary(OptionsSchema, create(OptionsSchema, { binaryName: 'crun' }));
    const prefixed = create(AnySchema, { typeUrl: 'type.googleapis.com/containerd.runc.v1.Options', value });
    expect(unpackAs(prefixed, OptionsSchema).binaryName).toBe('crun');
    const other = packAny(TaskExitSchema, { containerId: 'x' });
    let err: unknown;
    try {
      unpackAs(other, OptionsSchema);
    } catch (e) {
      err = e;
    }
    expect(isBerthError(err, 'InvalidArgument')).toBe(true);
    expect(unpackAny(other, createRegistry(TaskExitSchema))?.$typeName).toBe('containerd.events.TaskExit');
    expect(unpackAny(other, createRegistry(OptionsSchema))).toBeUndefined();
  });
});
