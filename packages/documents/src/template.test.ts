import { describe, expect, it } from 'vitest';
import { parseTemplate, TEMPLATE_FORMAT } from './template.js';

const valid = {
  format: TEMPLATE_FORMAT,
  id: 'test',
  version: 1,
  title: 'Test',
  recordType: 'thing',
  documentKind: 'copy',
  page: { size: 'A4', orientation: 'portrait', margins: [40, 40, 40, 40] },
  fontSize: 10,
  sealFields: ['name'],
  blocks: [
    { type: 'text', text: 'Nom : {{name}}' },
    { type: 'seal', size: 120 },
  ],
};

function problem(value: unknown): string {
  try {
    parseTemplate(typeof value === 'string' ? value : JSON.stringify(value, null, 2), 'test.json');
  } catch (error) {
    return `${(error as { code: string; detail: string }).code} ${(error as { detail: string }).detail}`;
  }
  return 'no error';
}

describe('templates', () => {
  it('accepts a valid template', () => {
    expect(parseTemplate(JSON.stringify(valid)).blocks).toHaveLength(2);
  });

  it('names the line and column of a JSON syntax error', () => {
    expect(problem('{\n  "format": "xmcomm-template/1",\n  "id": oops\n}')).toMatch(
      /^invalid-template test\.json line 3, column 9:/,
    );
  });

  it('names the JSON path of a bad block', () => {
    const blocks = [...valid.blocks, { type: 'table', widths: [100, '*'], rows: [['a', 'b', 'c']] }];
    expect(problem({ ...valid, blocks })).toBe(
      'invalid-template test.json $.blocks[2].rows[0]: a row of 2 cells is expected',
    );
    expect(problem({ ...valid, blocks: [{ type: 'text', text: 'x', colour: 'red' }] })).toMatch(
      /\$\.blocks\[0\]\.colour: unknown key/,
    );
    expect(problem({ ...valid, blocks: [{ type: 'text', text: 'Hi {{ name + 1 }}' }] })).toMatch(
      /\$\.blocks\[0\]\.text: .* is not a placeholder/,
    );
    expect(
      problem({ ...valid, blocks: [{ type: 'image', src: 'https://example.org/logo.png', width: 5 }] }),
    ).toMatch(/\$\.blocks\[0\]\.src/);
    expect(problem({ ...valid, page: { ...valid.page, size: 'B9' } })).toMatch(/\$\.page\.size: one of/);
    expect(problem({ ...valid, format: 'other' })).toMatch(/\$\.format/);
  });

  it('accepts the known formatters and names the line of an unknown one', () => {
    const blocks = [{ type: 'text', text: '{{name|label}} {{born|date:en}} {{name?|upper}}' }];
    expect(parseTemplate(JSON.stringify({ ...valid, blocks })).blocks).toHaveLength(1);
    const bad = [valid.blocks[0], { type: 'text', text: 'Né le {{born|shout}}' }];
    expect(problem({ ...valid, blocks: bad })).toBe(
      'invalid-template test.json line 29 $.blocks[1].text: "{{born|shout}}" uses the unknown formatter "shout" (known: label, date, upper)',
    );
    expect(problem({ ...valid, blocks: [{ type: 'text', text: '{{born|date:de}}' }] })).toMatch(
      /line \d+ \$\.blocks\[0\]\.text: .*language "de"/,
    );
    expect(problem({ ...valid, labels: { sex: { F: { fr: 'Féminin' } } } })).toMatch(
      /\$\.labels\.sex\.F\.en: a text is expected/,
    );
  });
});
