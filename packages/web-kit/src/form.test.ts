import type { ColumnSpec } from '@xmcomm/schema';
import { describe, expect, test } from 'vitest';
import { type FormField, isRealDate, readForm, renderField } from './form.js';

const spec = (over: Partial<ColumnSpec>): ColumnSpec => ({ type: 'text', required: false, ...over });
const field = (name: string, over: Partial<ColumnSpec>, extra: Partial<FormField> = {}): FormField => ({
  name,
  spec: spec(over),
  label: { en: name, fr: `${name} (fr)` },
  ...extra,
});

describe('readForm', () => {
  const fields = [
    field('born', { type: 'date', required: true }, { min: '1900-01-01', max: '2026-12-07' }),
    field('count', { type: 'smallint', min: 1, max: 10 }),
    field('sex', { type: 'enum', values: ['male', 'female'], required: true }),
    field('name', { type: 'text', maxLength: 5, required: true }),
    field('at', { type: 'time' }),
  ];
  test('types the values and finds what the form alone can see, in both languages', () => {
    const { values, problems } = readForm(fields, {
      born: '2023-02-30',
      count: '11',
      sex: 'other',
      name: 'abcdef',
      at: '25:00',
    });
    expect(values.count).toBe(11);
    expect(problems.map((p) => [p.field, p.code])).toEqual([
      ['born', 'invalid-date'],
      ['count', 'too-large'],
      ['sex', 'not-allowed'],
      ['name', 'too-long'],
      ['at', 'invalid-time'],
    ]);
    expect(problems[0]?.messageFr).toMatch(/n'existe pas/);
  });
  test('empty required fields are named; a date past the bound is refused; a good form passes', () => {
    expect(readForm(fields, {}).problems.map((p) => p.code)).toEqual(['required', 'required', 'required']);
    expect(readForm(fields, { born: '2027-01-01', sex: 'male', name: 'a' }).problems[0]?.code).toBe(
      'too-late',
    );
    const good = readForm(fields, {
      born: '2024-02-29',
      sex: 'male',
      name: ' Ada ',
      count: '2',
      at: '08:30',
    });
    expect(good.problems).toEqual([]);
    expect(good.values).toEqual({ born: '2024-02-29', count: 2, sex: 'male', name: 'Ada', at: '08:30:00' });
  });
  test('hostile bodies: arrays, objects, non-strings', () => {
    const { problems, entered } = readForm(fields, { born: ['2024-01-01', 'x'], name: { a: 1 }, sex: 7 });
    expect(entered.born).toBe('2024-01-01');
    expect(problems.map((p) => p.field)).toEqual(['sex', 'name']);
    expect(readForm(fields, null).problems).toHaveLength(3);
  });
  test('isRealDate', () => {
    expect(['2024-02-29', '2000-12-31'].map(isRealDate)).toEqual([true, true]);
    expect(['2023-02-29', '2024-13-01', '2024-00-10', '24-01-01', '2024-1-1'].some(isRealDate)).toBe(false);
  });
});

describe('renderField', () => {
  test('a date picker with its bounds, an error beside it tied by aria', () => {
    const out = renderField(fields()[0] as FormField, '2023-02-30', 'Date impossible', 'fr').toString();
    expect(out).toContain('type="date"');
    expect(out).toContain('min="1900-01-01"');
    expect(out).toContain('max="2026-12-07"');
    expect(out).toContain('aria-invalid="true"');
    expect(out).toContain('aria-describedby="f-born-error"');
    expect(out).toContain('<span class="field-error" id="f-born-error">Date impossible</span>');
    expect(out).toContain('born (fr)');
  });
  test('an enum is a select with its labels; numbers keep bounds; text its length', () => {
    const select = renderField(
      field('sex', { type: 'enum', values: ['male'] }, { values: { male: { en: 'Male', fr: 'Masculin' } } }),
      'male',
      undefined,
      'fr',
    ).toString();
    expect(select).toContain('<option value="male" selected>Masculin</option>');
    expect(
      renderField(field('n', { type: 'integer', min: 1, max: 9 }), '', undefined, 'en').toString(),
    ).toMatch(/type="number".*min="1" max="9"/);
    expect(
      renderField(field('t', { type: 'text', maxLength: 9 }), '"><x', undefined, 'en').toString(),
    ).toContain('value="&quot;&gt;&lt;x" maxlength="9"');
  });
  const fields = () => [
    field('born', { type: 'date', required: true }, { min: '1900-01-01', max: '2026-12-07' }),
  ];
});
