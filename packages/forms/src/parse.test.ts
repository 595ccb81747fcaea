import { readFileSync } from 'node:fs';
import { validateRow } from '@xmcomm/contract';
import { describe, expect, test } from 'vitest';
import { parseFormDefinition } from './parse.js';
import { describeProblem, type FormProblem } from './problems.js';

// The validator of definition files: each rule kind, each hostile case, each refusal at its line.

const diplomaText = readFileSync(
  new URL('../../../apps/docstream/examples/diploma.json', import.meta.url),
  'utf8',
);
const diploma = JSON.parse(diplomaText) as Record<string, unknown>;

const minimal = {
  format: 'xmcomm-form/1',
  name: 'permit',
  table: 'permits',
  version: 1,
  refLetter: 'P',
  label: { en: 'Permit', fr: 'Permis' },
  fields: [
    { name: 'surname', type: 'text', maxLength: 50, required: true, label: { en: 'Surname', fr: 'Nom' } },
    { name: 'issued_on', type: 'date', required: true, label: { en: 'Issued on', fr: 'Délivré le' } },
    { name: 'valid_from', type: 'date', label: { en: 'Valid from', fr: 'Valable du' } },
    { name: 'total', type: 'integer', min: 0, label: { en: 'Total', fr: 'Total' } },
    { name: 'part_a', type: 'integer', min: 0, label: { en: 'Part A', fr: 'Partie A' } },
    { name: 'part_b', type: 'integer', min: 0, label: { en: 'Part B', fr: 'Partie B' } },
  ],
  rules: [] as unknown[],
  title: ['surname'],
  search: { names: ['surname'] },
  eventDate: 'issued_on',
  print: { title: { en: 'PERMIT', fr: 'PERMIS' }, fields: ['surname', 'issued_on'] },
};

const withRules = (rules: unknown[]) => JSON.stringify({ ...minimal, rules }, null, 2);

function problems(text: string): FormProblem[] {
  const parsed = parseFormDefinition(text);
  if (parsed.ok) throw new Error('expected a refusal');
  return [...parsed.problems];
}

function compiled(text: string) {
  const parsed = parseFormDefinition(text);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => describeProblem(p, 'en')).join('\n'));
  return parsed.form;
}

describe('a definition file', () => {
  test('the diploma example compiles into an exchanged table with the workflow columns', () => {
    const form = compiled(diplomaText);
    expect(form.table.qualifiedName).toBe('xm_data.diplomas');
    expect(Object.keys(form.table.columns)).toContain('validated_by');
    expect(form.table.columns.diploma?.values).toEqual(['cep', 'bepc', 'bac']);
    expect(form.template.sealFields).toContain('holder_surname');
    expect(form.fieldLabels.mention?.values?.['tres-bien']).toEqual({ en: 'Very good', fr: 'Très bien' });
    // The contract's own validation applies to rows of the table: lengths, enums, bounds.
    const checked = validateRow(form.table, {
      holder_surname: 'x'.repeat(101),
      diploma: 'phd',
      session_year: 1900,
    });
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      const codes = Object.fromEntries(checked.errors.map((e) => [e.field, e.code]));
      expect(codes).toMatchObject({
        holder_surname: 'too-long',
        diploma: 'not-allowed',
        session_year: 'out-of-range',
      });
    }
  });

  test('the same file gives the same fingerprint; another label does not change it, another length does', () => {
    const a = compiled(diplomaText).table.fingerprint;
    expect(compiled(diplomaText).table.fingerprint).toBe(a);
    const relabelled = structuredClone(diploma) as {
      label: { en: string };
      fields: { maxLength?: number }[];
    };
    relabelled.label.en = 'Certificate';
    expect(compiled(JSON.stringify(relabelled)).table.fingerprint).toBe(a);
    (relabelled.fields[0] as { maxLength?: number }).maxLength = 120;
    expect(compiled(JSON.stringify(relabelled)).table.fingerprint).not.toBe(a);
  });

  test('not-in-future: a date after today is refused, today is not', () => {
    const form = compiled(withRules([{ kind: 'not-in-future', field: 'issued_on' }]));
    expect(form.rules({ issued_on: '2026-12-09' }, '2026-12-08')).toMatchObject([
      { field: 'issued_on', code: 'in-the-future', messageFr: 'Délivré le est dans le futur.' },
    ]);
    expect(form.rules({ issued_on: '2026-12-08' }, '2026-12-08')).toEqual([]);
  });

  test('compare: a <= b on dates, with the message the definition gives', () => {
    const form = compiled(
      withRules([
        {
          kind: 'compare',
          field: 'valid_from',
          operator: '>=',
          other: 'issued_on',
          message: { en: 'Valid before issue.', fr: 'Valable avant la délivrance.' },
        },
      ]),
    );
    expect(form.rules({ issued_on: '2026-03-02', valid_from: '2026-03-01' }, '2026-12-08')).toMatchObject([
      { field: 'valid_from', code: 'comparison', message: 'Valid before issue.' },
    ]);
    expect(form.rules({ issued_on: '2026-03-02', valid_from: '2026-03-02' }, '2026-12-08')).toEqual([]);
    // An empty field is "required"'s business, not the rule's.
    expect(form.rules({ issued_on: '2026-03-02' }, '2026-12-08')).toEqual([]);
  });

  test('sum: a = b + c, the figures in the message', () => {
    const form = compiled(withRules([{ kind: 'sum', field: 'total', of: ['part_a', 'part_b'] }]));
    expect(form.rules({ total: 10, part_a: 4, part_b: 5 }, '2026-12-08')).toMatchObject([
      { field: 'total', code: 'sum', message: 'Total (10) must equal Part A + Part B (9).' },
    ]);
    expect(form.rules({ total: 9, part_a: 4, part_b: 5 }, '2026-12-08')).toEqual([]);
  });

  test('a rule on a field of the wrong type or an unknown field is refused at its line', () => {
    const text = withRules([
      { kind: 'sum', field: 'surname', of: ['part_a'] },
      { kind: 'not-in-future', field: 'nowhere' },
      { kind: 'compare', field: 'total', operator: '<=', other: 'issued_on' },
      { kind: 'eval', field: 'total' },
    ]);
    const found = problems(text);
    expect(found.map((p) => [p.code, p.path])).toEqual([
      ['wrong-field-type', '$.rules[0].field'],
      ['unknown-field', '$.rules[1].field'],
      ['wrong-field-type', '$.rules[2].other'],
      ['type', '$.rules[3].kind'],
    ]);
    const line = text.split('\n').findIndex((l) => l.includes('"nowhere"')) + 1;
    expect(found[1]?.line).toBe(line);
    expect(describeProblem(found[1] as FormProblem, 'fr')).toMatch(
      /^ligne \d+, colonne \d+ \(\$\.rules\[1\]\.field\) : « nowhere » n'est pas un des champs\. \[unknown-field\]$/,
    );
  });
});

describe('hostile or broken files', () => {
  test('not JSON: the line and column of the fault', () => {
    const [problem] = problems('{\n  "format": "xmcomm-form/1",\n  "name": oops\n}');
    expect(problem).toMatchObject({ code: 'not-json', line: 3, column: 11 });
    expect(problem?.messageFr).toBe("La définition n'est pas du JSON valide : une valeur est attendue.");
  });

  test('a member given twice is refused (JSON.parse would keep the last silently)', () => {
    const [problem] = problems('{"format": "xmcomm-form/1", "format": "x"}');
    expect(problem).toMatchObject({ code: 'not-json', line: 1, column: 29 });
  });

  test('a huge file is refused before it is read', () => {
    const [problem] = problems(`{"pad": "${'x'.repeat(300_000)}"}`);
    expect(problem?.code).toBe('too-large');
  });

  test('a deep nest is refused, without recursion running away', () => {
    const [problem] = problems(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(problem?.code).toBe('too-deep');
  });

  test('SQL-ish, reserved and implicit names are refused', () => {
    const text = JSON.stringify({
      ...minimal,
      table: 'births',
      fields: [
        ...minimal.fields,
        { name: 'x"; drop table users; --', type: 'text', maxLength: 5, label: { en: 'a', fr: 'a' } },
        { name: 'niu', type: 'text', maxLength: 5, label: { en: 'a', fr: 'a' } },
        { name: 'select', type: 'text', maxLength: 5, label: { en: 'a', fr: 'a' } },
        { name: 'Surname', type: 'text', maxLength: 5, label: { en: 'a', fr: 'a' } },
      ],
    });
    expect(problems(text).map((p) => [p.code, p.path])).toEqual([
      ['reserved-name', '$.table'],
      ['invalid-name', '$.fields[6].name'],
      ['reserved-name', '$.fields[7].name'],
      ['reserved-name', '$.fields[8].name'],
      ['invalid-name', '$.fields[9].name'],
    ]);
    expect(problems(JSON.stringify({ ...minimal, table: 'pg_authid' }))[0]?.code).toBe('reserved-name');
  });

  test('unknown members, missing ones, a wrong format and out-of-range values are all reported at once', () => {
    const found = problems(
      JSON.stringify({
        ...minimal,
        format: 'xmcomm-form/9',
        version: 0,
        refLetter: 'pp',
        script: 'alert(1)',
        label: { en: 'Permit' },
        fields: [{ name: 'a', type: 'text', label: { en: 'A', fr: 'A' }, min: 3 }],
      }),
    );
    expect(found.map((p) => [p.code, p.path])).toEqual(
      expect.arrayContaining([
        ['unsupported-format', '$.format'],
        ['out-of-range', '$.version'],
        ['type', '$.refLetter'],
        ['unknown-member', '$.script'],
        ['missing', '$.label'],
        ['unknown-member', '$.fields[0].min'],
        ['missing', '$.fields[0]'],
      ]),
    );
  });

  test('an enum value listed twice, a field defined twice, more fields than allowed', () => {
    const twice = JSON.stringify({
      ...minimal,
      fields: [
        ...minimal.fields,
        { name: 'surname', type: 'text', maxLength: 5, label: { en: 'a', fr: 'a' } },
        {
          name: 'grade',
          type: 'enum',
          label: { en: 'G', fr: 'G' },
          values: [
            { value: 'a', label: { en: 'A', fr: 'A' } },
            { value: 'a', label: { en: 'A', fr: 'A' } },
          ],
        },
      ],
    });
    expect(problems(twice).map((p) => [p.code, p.path])).toEqual([
      ['duplicate', '$.fields[7].values[1].value'],
      ['duplicate', '$.fields[6].name'],
    ]);
    const many = Array.from({ length: 201 }, (_, i) => ({
      name: `f${i}`,
      type: 'boolean',
      label: { en: 'a', fr: 'a' },
    }));
    expect(problems(JSON.stringify({ ...minimal, fields: many }))[0]).toMatchObject({
      code: 'out-of-range',
      path: '$.fields',
    });
  });

  test('not a text at all, or binary bytes, never throws', () => {
    expect(parseFormDefinition(undefined as unknown as string).ok).toBe(false);
    expect(parseFormDefinition('\u0000\u0001\uFFFF').ok).toBe(false);
    expect(parseFormDefinition('').ok).toBe(false);
  });
});
