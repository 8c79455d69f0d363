import { describe, expect, it } from 'vitest';
import { formatRows, renderTemplate } from './format.js';
import { tabwrite, tableTabs } from '../tabwriter.js';

const version = {
  Client: { Version: '0.1.0', ApiVersion: '1.45', Os: 'linux' },
  Server: {
    Version: '20.10.24',
    ApiVersion: '1.41',
    Components: [{ Name: 'Engine', Version: '20.10.24', Details: { ApiVersion: '1.41', MinAPIVersion: '1.12' } }],
  },
};

describe('Go templates as docker uses them', () => {
  it('reads fields, matching Go field names to json keys', () => {
    expect(renderTemplate('{{.Server.Version}}', version)).toBe('20.10.24');
    expect(renderTemplate('{{.Server.APIVersion}}', version)).toBe('1.41');
    expect(renderTemplate('{{ .ID }}', { Id: 'abc' })).toBe('abc');
    expect(renderTemplate('v={{.Client.Version}}!', version)).toBe('v=0.1.0!');
  });

  it('prints json, maps, slices, nil and missing values like Go', () => {
    expect(renderTemplate('{{json .Server.Components}}', version)).toBe(JSON.stringify(version.Server.Components));
    expect(renderTemplate('{{json .}}', { a: '<&>' })).toBe('{"a":"<&>"}');
    expect(renderTemplate('{{.}}', { b: 1, a: [1, 'x'] })).toBe('map[a:[1 x] b:1]');
    expect(renderTemplate('{{.N}}', { N: null })).toBe('<nil>');
    expect(renderTemplate('{{.Missing}}', {})).toBe('<no value>');
    expect(renderTemplate('{{json .Missing}}', {})).toBe('null');
    expect(() => renderTemplate('{{.Server.Version}}', { Server: null })).toThrow(/nil pointer evaluating .Server.Version/);
  });

  it('runs docker\'s functions and pipes', () => {
    expect(renderTemplate('{{upper .S}}|{{.S | lower}}|{{title "hello big world"}}', { S: 'MiX' })).toBe('MIX|mix|Hello Big World');
    expect(renderTemplate('{{join (split .S ",") "+"}}', { S: 'a,b,c' })).toBe('a+b+c');
    expect(renderTemplate('{{truncate .S 3}}-{{truncate .S 10}}', { S: 'abcdef' })).toBe('abc-abcdef');
    expect(renderTemplate('[{{pad .S 2 1}}]', { S: 'x' })).toBe('[  x ]');
    expect(renderTemplate('{{println .A .B}}', { A: 'a', B: 2 })).toBe('a 2\n');
    expect(renderTemplate('{{printf "%s-%5d|%-3s|" .A .B "z"}}', { A: 'a', B: 42 })).toBe('a-   42|z  |');
    expect(renderTemplate('{{len .L}} {{index .L 1}} {{index .M "k"}}', { L: [1, 2], M: { k: 'v' } })).toBe('2 2 v');
    expect(renderTemplate('{{.S | printf "%q"}}', { S: 'a' })).toBe('"a"');
    expect(renderTemplate('{{(index .L 0).Name}}', { L: [{ Name: 'n' }] })).toBe('n');
  });

  it('handles if/else if/else, range, with, variables and trim markers', () => {
    const t = '{{if eq .A "x"}}X{{else if .B}}B{{else}}none{{end}}';
    expect(renderTemplate(t, { A: 'x' })).toBe('X');
    expect(renderTemplate(t, { A: 'y', B: true })).toBe('B');
    expect(renderTemplate(t, { A: 'y', B: false })).toBe('none');
    expect(renderTemplate('{{range .L}}<{{.}}>{{else}}empty{{end}}', { L: [1, 2] })).toBe('<1><2>');
    expect(renderTemplate('{{range .L}}<{{.}}>{{else}}empty{{end}}', { L: [] })).toBe('empty');
    expect(renderTemplate('{{range $i, $c := .L}}{{$i}}={{$c.Name}};{{end}}', { L: [{ Name: 'a' }, { Name: 'b' }] })).toBe('0=a;1=b;');
    expect(renderTemplate('{{range $k, $v := .M}}{{$k}}:{{$v}} {{end}}', { M: { b: 2, a: 1 } })).toBe('a:1 b:2 ');
    expect(renderTemplate('{{with .S}}has {{.}}{{else}}no{{end}}', { S: '' })).toBe('no');
    expect(renderTemplate('{{$x := .A}}{{with .B}}{{$x}}-{{.}}{{end}}', { A: 1, B: 2 })).toBe('1-2');
    expect(renderTemplate('{{range .L}}{{$.Top}}{{end}}', { L: [1], Top: 'T' })).toBe('T');
    expect(renderTemplate('a  {{- .A -}}  b\n{{/* note */}}c', { A: 1 })).toBe('a1b\nc');
    expect(renderTemplate('{{if and .A (not .B)}}yes{{end}}{{if or .B .C}}no{{end}}', { A: 1, B: 0, C: '' })).toBe('yes');
    expect(renderTemplate('{{if gt .N 2}}big{{end}}{{if lt .N 2}}small{{end}}', { N: 3 })).toBe('big');
  });

  it('rejects bad templates with a template: error', () => {
    expect(() => renderTemplate('{{.A', {})).toThrow(/^template: unclosed action/);
    expect(() => renderTemplate('{{nosuch .A}}', {})).toThrow(/function "nosuch" not defined/);
    expect(() => renderTemplate('{{if .A}}x', {})).toThrow(/unexpected EOF/);
    expect(() => renderTemplate('{{end}}', {})).toThrow(/unexpected \{\{end\}\}/);
  });
});

describe('table formats', () => {
  it('prints a header from field names and aligns columns like docker', () => {
    const rows = [
      { Id: 'abc123', Image: 'busybox', CreatedAt: 'now' },
      { Id: 'd', Image: 'a-much-longer-image', CreatedAt: 'then' },
    ];
    expect(formatRows('table {{.ID}}\\t{{.Image}}\\t{{.CreatedAt}}', rows, { ID: 'CONTAINER ID' })).toBe(
      'CONTAINER ID   IMAGE                 CREATED AT\n' +
        'abc123         busybox               now\n' +
        'd              a-much-longer-image   then\n',
    );
    expect(formatRows('{{.ID}}:{{.Image}}', rows)).toBe('abc123:busybox\nd:a-much-longer-image\n');
  });

  it('pads to the minimum width and leaves the last cell alone', () => {
    expect(tabwrite('a\tb\nlonger-than-ten\tc\n', tableTabs)).toBe(`${'a'.padEnd(18)}b\n${'longer-than-ten'.padEnd(18)}c\n`);
    expect(tabwrite(' Version:\t1\n API version:\t2', { minWidth: 20, padding: 1 })).toBe(' Version:           1\n API version:       2');
  });

  it('calls a method of the data with arguments, as {{.Label "k"}}', () => {
    const row = { Label: (k: unknown) => ({ team: 'blue' } as Record<string, string>)[String(k)] ?? '' };
    expect(renderTemplate('{{.Label "team"}}|{{.Label "none"}}|{{"team" | .Label}}', row)).toBe('blue||blue');
    expect(() => renderTemplate('{{.Name "x"}}', { Name: 'n' })).toThrow(/can't give argument to non-function/);
  });
});
