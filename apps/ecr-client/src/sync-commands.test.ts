import { births, deaths } from '@xmcomm/schema';
import { checkFilter } from '@xmcomm/status-sync';
import { describe, expect, it } from 'vitest';
import { EcrError } from './errors.js';
import { adviceFor, parseCondition, parseOrder } from './sync-commands.js';

describe('ecr import --where', () => {
  it('turns every form into the structured condition the server accepts', () => {
    const conditions = [
      parseCondition('birth', 'child_surname=Ngono'),
      parseCondition('birth', 'child_surname~Ng%'),
      parseCondition('birth', 'weight_at_birth_grams>=2500'),
      parseCondition('birth', 'date_of_birth between 2024-01-01 and 2024-12-31'),
      parseCondition('birth', 'weight_at_birth_grams in 3000, 3100,3200'),
      parseCondition('birth', 'father_date_of_birth is null'),
    ];
    expect(conditions).toEqual([
      { field: 'child_surname', op: '=', value: 'Ngono' },
      { field: 'child_surname', op: 'like', value: 'Ng%' },
      { field: 'weight_at_birth_grams', op: '>=', value: 2500 },
      { field: 'date_of_birth', op: 'between', value: ['2024-01-01', '2024-12-31'] },
      { field: 'weight_at_birth_grams', op: 'in', value: [3000, 3100, 3200] },
      { field: 'father_date_of_birth', op: 'is-null' },
    ]);
    const checked = checkFilter({ table: 'births', conditions, order: [parseOrder('date_of_birth:desc')] }, [
      births,
    ]);
    expect(checked.ok).toBe(true);
  });

  it('types booleans by the contract, and keeps text that only looks like a keyword', () => {
    expect(parseCondition('death', 'autopsy=true')).toEqual({ field: 'autopsy', op: '=', value: true });
    expect(parseCondition('birth', 'child_surname=Van Der Berg in Paris')).toEqual({
      field: 'child_surname',
      op: '=',
      value: 'Van Der Berg in Paris',
    });
    expect(
      checkFilter({ table: 'deaths', conditions: [parseCondition('death', 'autopsy=true')] }, [deaths]).ok,
    ).toBe(true);
  });

  it('refuses what it cannot read with a usage error, before anything is sent', () => {
    for (const text of ['child_surname', 'Child=1', '=x', 'date_of_birth between 2024-01-01']) {
      expect(() => parseCondition('birth', text), text).toThrow(EcrError);
    }
    for (const text of ['date_of_birth:down', 'a b', ''])
      expect(() => parseOrder(text), text).toThrow(EcrError);
    expect(parseOrder('date_of_birth')).toEqual({ field: 'date_of_birth', direction: 'asc' });
  });
});

describe('advice for a refused act', () => {
  it('says what to do about a dictionary the server lacks, in both languages', () => {
    const advice = adviceFor('unknown-dictionary');
    expect(advice.en).toMatch(/does not hold the dictionary/);
    expect(advice.fr).toMatch(/n'a pas le dictionnaire/);
    expect(advice).not.toEqual(adviceFor('some-other-reason'));
  });
});
