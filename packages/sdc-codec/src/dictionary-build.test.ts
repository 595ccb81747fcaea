import { dictionaryToJson } from '@xmcomm/contract';
import { describe, expect, it } from 'vitest';
import { birthAct, genericAct } from '../bench/acts.js';
import { buildDictionary } from './dictionary-build.js';

const acts = Array.from({ length: 400 }, (_, i) => birthAct(i));
const utf8Size = (words: readonly string[]) => words.reduce((sum, w) => sum + Buffer.byteLength(w) + 1, 0);

describe('buildDictionary', () => {
  it('gives the same dictionary for the same sample, whatever the order of its rows', () => {
    const first = buildDictionary([{ table: 'births', rows: acts }], { name: 'births', maxWords: 120 });
    const again = buildDictionary([{ table: 'births', rows: acts }], { name: 'births', maxWords: 120 });
    const shuffled = [...acts].reverse();
    const reordered = buildDictionary([{ table: 'births', rows: shuffled }], {
      name: 'births',
      maxWords: 120,
    });
    expect(again.dictionary).toEqual(first.dictionary);
    expect(reordered.dictionary).toEqual(first.dictionary);
    expect(dictionaryToJson(reordered.dictionary, reordered.report)).toBe(
      dictionaryToJson(first.dictionary, first.report),
    );
  });

  it('keeps to a budget in words or in bytes', () => {
    const words = buildDictionary([{ table: 'births', rows: acts }], { name: 'w', maxWords: 37 });
    expect(words.dictionary.words).toHaveLength(37);
    for (const maxBytes of [4, 50, 600, 4096]) {
      const built = buildDictionary([{ table: 'births', rows: acts }], { name: 'b', maxBytes });
      expect(built.report.bytes).toBe(utf8Size(built.dictionary.words));
      expect(built.report.bytes).toBeLessThanOrEqual(maxBytes);
    }
    // Both: whichever is reached first.
    const both = buildDictionary([{ table: 'births', rows: acts }], {
      name: 'b',
      maxBytes: 4096,
      maxWords: 10,
    });
    expect(both.dictionary.words).toHaveLength(10);
  });

  it('takes the values that occur most, commonest first, from text columns only', () => {
    const { dictionary, report } = buildDictionary([{ table: 'births', rows: acts }], {
      name: 'births',
      maxWords: 1000,
    });
    // Every act's nationality is CMR, twice: the commonest value.
    expect(dictionary.words[0]).toBe('CMR');
    // Enumerations travel as their index already; dates, numbers and identifiers are no words.
    for (const value of ['female', 'hospital', 'single', 'married'])
      expect(dictionary.words).not.toContain(value);
    expect(dictionary.words.some((word) => /^CM-CE0001-/.test(word))).toBe(false);
    expect(dictionary.words.some((word) => /^\d{4}-\d\d-\d\d$/.test(word))).toBe(false);
    // Surnames are made of random syllables: none occurs 5 times in 400 acts.
    expect(dictionary.words).not.toContain(acts[0]?.father_surname);
    expect(report).toMatchObject({
      tables: ['births'],
      rows: 400,
      minCount: 5,
      words: dictionary.words.length,
    });
    expect(report.coverage).toBeGreaterThan(0.5);
    expect(report.coverage).toBeLessThanOrEqual(1);
  });

  it('leaves out what occurs fewer than minCount times', () => {
    const rows = [
      ...Array.from({ length: 3 }, () => ({ town: 'Dakar' })),
      ...Array.from({ length: 2 }, () => ({ town: 'Thiès' })),
      { town: 'Ndèye Fatou Diop, 12 rue X' },
    ];
    const built = buildDictionary([{ table: 'towns_elsewhere', rows }], {
      name: 'sn',
      maxWords: 10,
      minCount: 2,
    });
    expect(built.dictionary.words).toEqual(['Dakar', 'Thiès']);
    expect(() =>
      buildDictionary([{ table: 'towns_elsewhere', rows }], { name: 'sn', maxWords: 10, minCount: 4 }),
    ).toThrow(expect.objectContaining({ code: 'invalid-input' }));
  });

  it('reads every text field of a table the contract does not know, across several tables', () => {
    const built = buildDictionary(
      [
        { table: 'births_elsewhere', rows: acts.slice(0, 200).map((_, i) => genericAct(i)) },
        { table: 'births', rows: acts.slice(200) },
      ],
      { name: 'two', maxWords: 500 },
    );
    expect(built.report.tables).toEqual(['births_elsewhere', 'births']);
    expect(built.report.rows).toBe(400);
    // In a generic table enumerations are text like any other.
    expect(built.dictionary.words).toContain('female');
  });

  it('says what is wrong with its options', () => {
    const sample = [{ table: 'births', rows: acts }];
    for (const options of [
      { name: 'x' },
      { name: 'x', maxWords: 0 },
      { name: 'x', maxBytes: 1 },
      { name: 'x', maxWords: 10, minCount: 0 },
      { name: 'not a name', maxWords: 10 },
    ]) {
      expect(() => buildDictionary(sample, options), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'invalid-input' }),
      );
    }
  });
});
