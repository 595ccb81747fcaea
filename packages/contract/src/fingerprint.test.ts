import { expect, test } from 'vitest';
import { date, integer, text } from './columns.js';
import { defineExchangedTable } from './define-table.js';
import { births, deaths, marriages } from './tables/civil-registration.js';

const judgment = (columns: Parameters<typeof defineExchangedTable>[1]) =>
  defineExchangedTable('judgments', columns);

test('is the same on every run and every machine: changing it must be a deliberate contract change', () => {
  // If this fails, the births definition changed: containers from sites running the previous
  // definition will be refused as schema-mismatch. Update the value only with a new migration.
  expect(births.fingerprint).toBe('eef28a7516c7594ee9d48e13d54e70b55fa37cb7789a185f4c44df69cca49268');
  expect(births.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  expect(new Set([births.fingerprint, marriages.fingerprint, deaths.fingerprint]).size).toBe(3);
});

test('changes when a column is added, removed, renamed, retyped, reordered or gets other rules', () => {
  const base = judgment({ court: text({ maxLength: 100, required: true }), decided_on: date() });
  const variants = [
    judgment({ court: text({ maxLength: 100, required: true }), decided_on: date(), extra: integer() }),
    judgment({ court: text({ maxLength: 100, required: true }) }),
    judgment({ tribunal: text({ maxLength: 100, required: true }), decided_on: date() }),
    judgment({ court: text({ maxLength: 100, required: true }), decided_on: text({ maxLength: 10 }) }),
    judgment({ decided_on: date(), court: text({ maxLength: 100, required: true }) }),
    judgment({ court: text({ maxLength: 101, required: true }), decided_on: date() }),
    judgment({ court: text({ maxLength: 100 }), decided_on: date() }),
  ];
  const fingerprints = variants.map((table) => table.fingerprint);
  expect(new Set([base.fingerprint, ...fingerprints]).size).toBe(variants.length + 1);
  // ...and does not change for what does not shape the data: labels.
  const labelled = judgment({
    court: text({ maxLength: 100, required: true, label: { en: 'Court', fr: 'Juridiction' } }),
    decided_on: date(),
  });
  expect(labelled.fingerprint).toBe(base.fingerprint);
});
