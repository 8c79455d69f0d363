import { describe, expect, it } from 'vitest';
import { Demuxer, frame, StdcopyError } from './stdcopy.js';

describe('stdcopy demuxer', () => {
  const collect = () => {
    const got: string[] = [];
    const d = new Demuxer((kind, data) => got.push(`${kind}:${data.toString()}`));
    return { got, d };
  };

  it('splits frames into stdout and stderr, however the bytes are cut', () => {
    const bytes = Buffer.concat([frame(1, Buffer.from('out\n')), frame(2, Buffer.from('err\n')), frame(1, Buffer.from(''))]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { got, d } = collect();
      d.push(bytes.subarray(0, cut));
      d.push(bytes.subarray(cut));
      expect(got).toEqual(['stdout:out\n', 'stderr:err\n', 'stdout:']);
    }
  });

  it('waits for a whole frame, one byte at a time', () => {
    const { got, d } = collect();
    for (const b of frame(2, Buffer.from('slow'))) d.push(Buffer.from([b]));
    expect(got).toEqual(['stderr:slow']);
  });

  it('turns a system-error frame and unknown stream bytes into errors', () => {
    expect(() => collect().d.push(frame(3, Buffer.from('boom')))).toThrow(new StdcopyError('error from daemon in stream: boom'));
    const bad = frame(1, Buffer.from('x'));
    bad[0] = 9;
    expect(() => collect().d.push(bad)).toThrow(/Unrecognized input header: 9/);
  });
});
