import { expect, test } from 'vitest';
import { ecrRecordTypes } from './record-types.js';

test('every form field and every value of every act has a French and an English label', () => {
  const missing: string[] = [];
  for (const type of ecrRecordTypes) {
    for (const column of type.formFields) {
      const labels = type.fields?.[column];
      if (!labels?.label.en || !labels.label.fr) missing.push(`${type.name}.${column}`);
      for (const value of type.table.columns[column]?.values ?? []) {
        const text = labels?.values?.[value];
        if (!text?.en || !text.fr) missing.push(`${type.name}.${column}=${value}`);
      }
    }
  }
  expect(missing).toEqual([]);
});

test('the civil rules are the declarations', () => {
  const birth = ecrRecordTypes.find((type) => type.name === 'birth');
  const errors = birth?.rules?.(
    { date_of_birth: '2030-01-01' },
    { today: '2026-01-01', settings: undefined },
  );
  expect(errors?.map((e) => `${e.field}:${e.code}`)).toEqual(['date_of_birth:in-the-future']);
});
