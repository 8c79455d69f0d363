/**
 * Guards the wire shape of proto/ (package, message and field names, numbers,
 * types; services and method kinds) against accidental edits: the summary is
 * compared with the committed wire-shape.txt. The file was checked field by
 * field against containerd 1.6.20 and 1.7.0's api/ when written; change it only
 * together with a proto/ change that containerd made too.
 */
import { describe, expect, it } from 'vitest';
import type { DescFile, DescMessage } from '@bufbuild/protobuf';
import { ScalarType } from '@bufbuild/protobuf';
import { allFiles } from './gen/all.js';

function fieldType(f: DescMessage['fields'][number]): string {
  switch (f.fieldKind) {
    case 'scalar':
      return ScalarType[f.scalar].toLowerCase();
    case 'enum':
      return f.enum.typeName;
    case 'message':
      return f.message.typeName;
    case 'list':
      return `repeated ${f.listKind === 'scalar' ? ScalarType[f.scalar].toLowerCase() : f.listKind === 'enum' ? f.enum.typeName : f.message.typeName}`;
    case 'map':
      return `map<${ScalarType[f.mapKey].toLowerCase()}, ${f.mapKind === 'scalar' ? ScalarType[f.scalar].toLowerCase() : f.mapKind === 'enum' ? f.enum.typeName : f.message.typeName}>`;
  }
}

function describeMessage(m: DescMessage, out: string[]): void {
  out.push(`message ${m.typeName}`);
  for (const f of [...m.fields].sort((a, b) => a.number - b.number)) out.push(`  ${f.number} ${f.name} ${fieldType(f)}`);
  for (const e of m.nestedEnums) out.push(`enum ${e.typeName} ${e.values.map((v) => `${v.name}=${v.number}`).join(' ')}`);
  for (const n of m.nestedMessages) describeMessage(n, out);
}

function describeFile(file: DescFile): string[] {
  const out = [`file ${file.name}.proto package ${file.proto.package}`];
  for (const e of file.enums) out.push(`enum ${e.typeName} ${e.values.map((v) => `${v.name}=${v.number}`).join(' ')}`);
  for (const m of file.messages) describeMessage(m, out);
  for (const s of file.services) {
    out.push(`service ${s.typeName}`);
    for (const m of s.methods) out.push(`  rpc ${m.name}(${m.input.typeName}) ${m.methodKind} ${m.output.typeName}`);
  }
  return out;
}

describe('proto/ wire shape', () => {
  it('matches wire-shape.txt', async () => {
    const text = `${allFiles.flatMap(describeFile).join('\n')}\n`;
    await expect(text).toMatchFileSnapshot('../../../proto/wire-shape.txt');
  });
});
