/**
 * docker's stdcopy framing for streams without a TTY: an 8-byte header
 * [stream, 0, 0, 0, size as big-endian uint32] before each payload; stream is
 * 0 stdin, 1 stdout, 2 stderr (and 3 for the daemon's own error text).
 */
const ids = { stdin: 0, stdout: 1, stderr: 2, system: 3 } as const;

export function frame(stream: keyof typeof ids, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = ids[stream];
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
