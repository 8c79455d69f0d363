import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { isBerthError } from '@berth/errors';
import { ContainerSchema } from '../gen/containerd/services/containers/v1/containers_pb.js';
import { OptionsSchema } from '../gen/containerd/runtime/v2/runc/options/oci_pb.js';
import { createRegistry } from '@bufbuild/protobuf';
import { packAny } from '../typeurl.js';
import { messageLookup } from './fieldpath.js';
import type { FieldLookup } from './filter.js';
import { parseFilter, parseFilters } from './parse.js';

const fields =
  (values: Record<string, string>): FieldLookup =>
  (path) =>
    values[path.join('.')];

describe('filter syntax (containerd filters)', () => {
  it('parses selectors, operators, quoted fields and values', () => {
    expect(parseFilter('').selectors).toEqual([]);
    expect(parseFilter('id').selectors).toEqual([{ fieldpath: ['id'], operator: 'present', value: '' }]);
    expect(parseFilter('type==io.containerd.grpc.v1,id!=cri').selectors).toEqual([
      { fieldpath: ['type'], operator: '==', value: 'io.containerd.grpc.v1' },
      { fieldpath: ['id'], operator: '!=', value: 'cri' },
    ]);
    expect(parseFilter('labels."com.example/a b"=="x y"').selectors).toEqual([
      { fieldpath: ['labels', 'com.example/a b'], operator: '==', value: 'x y' },
    ]);
    expect(parseFilter('name~=/^busy.*$/').selectors).toEqual([{ fieldpath: ['name'], operator: '~=', value: '^busy.*$' }]);
    expect(parseFilter('name~=|a\\|b|').selectors[0]?.value).toBe('a|b');
    expect(parseFilter('topic=="/tasks/exit"').selectors[0]?.value).toBe('/tasks/exit');
    expect(parseFilter('a=="\\x41\\u00e9\\101\\n"').selectors[0]?.value).toBe('A\u00e9A\n');
  });

  it('rejects malformed filters with InvalidArgument and the position', () => {
    const cases: Array<[string, string]> = [
      ['x==', 'filters: parse error: [x==]: expected value or quoted'],
      ['x=y', 'filters: parse error: [x >|=|< y]: unsupported operator "="'],
      ['x==/y/', 'filters: parse error: [x== >|/|< y/]: invalid quote encountered'],
      ['x==y z', 'filters: parse error: [x==y >| |< z]: unexpected input:  '],
      ['==y', 'filters: parse error: [ >|=|< =y]: expected field or quoted'],
      ['x=="abc', 'filters: parse error: [x== >|"|< abc]: quoted literal not terminated'],
    ];
    for (const [input, message] of cases) {
      let err: unknown;
      try {
        parseFilter(input);
      } catch (e) {
        err = e;
      }
      expect(isBerthError(err, 'InvalidArgument'), input).toBe(true);
      expect((err as Error).message, input).toBe(message);
    }
  });

  it('matches like containerd: all selectors of a filter, any filter of a set', () => {
    const obj = fields({ name: 'busybox', 'labels.a': '1' });
    expect(parseFilter('name==busybox,labels.a==1').match(obj)).toBe(true);
    expect(parseFilter('name==busybox,labels.a==2').match(obj)).toBe(false);
    expect(parseFilter('labels.a').match(obj)).toBe(true);
    expect(parseFilter('labels.b').match(obj)).toBe(false);
    // != compares the zero value when the field is absent
    expect(parseFilter('labels.b!=x').match(obj)).toBe(true);
    expect(parseFilter('labels.b!=""').match(obj)).toBe(false);
    expect(parseFilter('name~=^busy').match(obj)).toBe(true);
    expect(parseFilter('name~="[invalid"').match(obj)).toBe(false);
    expect(parseFilters([]).match(obj)).toBe(true);
    expect(parseFilters(['name==alpine', 'name==busybox']).match(obj)).toBe(true);
    expect(parseFilters(['name==alpine']).match(obj)).toBe(false);
  });
});

describe('field paths on protobuf messages (containerd fieldpath plugin)', () => {
  const registry = createRegistry(OptionsSchema);
  const container = create(ContainerSchema, {
    id: 'c1',
    image: '',
    labels: { 'io.berth/role': 'web' },
    runtime: { name: 'io.containerd.runc.v2', options: packAny(OptionsSchema, { binaryName: 'berth-runc' }) },
    createdAt: { seconds: 1n },
  });
  const lookup = messageLookup(ContainerSchema, container, registry);

  it('reads strings (present when non-empty), labels with dotted keys, nested messages and Anys', () => {
    expect(lookup(['id'])).toBe('c1');
    expect(lookup(['image'])).toBeUndefined();
    expect(lookup(['labels', 'io', 'berth/role'])).toBe('web');
    expect(lookup(['labels', 'missing'])).toBeUndefined();
    expect(lookup(['runtime', 'name'])).toBe('io.containerd.runc.v2');
    expect(lookup(['runtime', 'options', 'binary_name'])).toBe('berth-runc');
    expect(lookup(['runtime', 'options', 'systemd_cgroup'])).toBe('false');
    expect(lookup(['created_at'])).toBeUndefined();
    expect(lookup(['nope'])).toBeUndefined();
    expect(parseFilter('labels."io.berth/role"==web,runtime.name~=runc').match(lookup)).toBe(true);
  });
});
