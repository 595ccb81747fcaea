import { births, validateRow } from '@xmcomm/contract';
import { describe, expect, it } from 'vitest';
import { createActGenerator, senegalActLists, travellingRow } from './birth-acts.js';

describe('createActGenerator', () => {
  it('makes acts that pass the births contract and are not all alike', () => {
    const next = createActGenerator(7);
    const names = new Set<string>();
    for (let numero = 1; numero <= 500; numero++) {
      const { niu: _niu, ...act } = next('S0000001', numero);
      const checked = validateRow(births, act);
      if (!checked.ok) throw new Error(JSON.stringify(checked.errors[0]));
      names.add(`${act.child_surname} ${act.child_given_names}`);
    }
    expect(names.size).toBeGreaterThan(300);
  });

  it('never has more living children than children born alive (2,000 acts, as a centre checks them)', () => {
    const next = createActGenerator(5);
    const inconsistent: number[] = [];
    for (let numero = 1; numero <= 2000; numero++) {
      const act = next('S0000001', numero);
      if ((act.mother_children_living as number) > (act.mother_children_born_alive as number))
        inconsistent.push(numero);
    }
    expect(inconsistent).toEqual([]);
  });

  it('repeats itself for the same seed', () => {
    expect(createActGenerator(1)('S1', 1)).toEqual(createActGenerator(1)('S1', 1));
    expect(createActGenerator(1)('S1', 1)).not.toEqual(createActGenerator(2)('S1', 1));
  });

  it('puts every data column in a travelling row, and no lifecycle column but numero', () => {
    const row = travellingRow(createActGenerator()('S0000001', 9), 9);
    expect(row.numero).toBe(9);
    expect(row).not.toHaveProperty('status');
    expect(row).not.toHaveProperty('origin_matricule');
    expect(Object.keys(row)).toHaveLength(Object.keys(births.columns).length - 3);
    expect(row.niu).toBe('S0000001-2026-000009');
  });

  it('draws from another country’s names and places when given them, still within the contract', () => {
    const next = createActGenerator(7, senegalActLists);
    for (let numero = 1; numero <= 200; numero++) {
      const { niu: _niu, ...act } = next('SN0001', numero);
      const checked = validateRow(births, act);
      if (!checked.ok) throw new Error(JSON.stringify(checked.errors[0]));
      expect(senegalActLists.regions).toContain(act.place_of_birth_region);
      expect(act.mother_nationality).toBe('SEN');
    }
    // The default lists are still Cameroon's, drawn in the same order as before.
    expect(createActGenerator(7)('S1', 1)).toEqual(createActGenerator(7, undefined)('S1', 1));
    expect(createActGenerator(7)('S1', 1).mother_nationality).toBe('CMR');
  });
});
