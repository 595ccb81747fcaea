import { createHash } from 'node:crypto';
import { cameroonDictionary, defineDictionary } from '@xmcomm/contract';
import { describe, expect, it } from 'vitest';
import { CAMEROON_VOCABULARY, NO_VOCABULARY, shelfOf, vocabularyOf } from './vocabulary.js';

describe('vocabulary', () => {
  it('of format 2 is the Cameroon list: no word twice, the SHA-256 docs/sdc-format.md §4.6 names', () => {
    const words = CAMEROON_VOCABULARY.words;
    expect(new Set(words).size).toBe(words.length);
    for (const [index, word] of words.entries()) expect(CAMEROON_VOCABULARY.indexOf(word)).toBe(index);
    const digest = createHash('sha256').update(words.join('\n'), 'utf8').digest('hex');
    expect(digest).toBe('71ff23c028d774419b6ac016d87754b3c4bdaae4f6b216eed513986774d8faaf');
    expect(CAMEROON_VOCABULARY.fingerprint).toBe(digest);
  });

  it('is the Cameroon list by default, nothing with null, and a dictionary’s own otherwise', () => {
    expect(vocabularyOf(undefined)).toBe(CAMEROON_VOCABULARY);
    expect(vocabularyOf(cameroonDictionary)).toBe(CAMEROON_VOCABULARY);
    // The same words under another name are the same dictionary.
    expect(vocabularyOf({ words: [...cameroonDictionary.words] })).toBe(CAMEROON_VOCABULARY);
    expect(vocabularyOf(null)).toBe(NO_VOCABULARY);
    expect(NO_VOCABULARY.indexOf('Centre')).toBeUndefined();
    const senegal = defineDictionary('sn', ['Dakar', 'Thiès']);
    const vocabulary = vocabularyOf(senegal);
    expect(vocabulary.fingerprint).toBe(senegal.fingerprint);
    expect(vocabulary.indexOf('Thiès')).toBe(1);
    expect(vocabularyOf(senegal)).toBe(vocabulary);
  });

  it('refuses a list that is no dictionary, and computes the fingerprint itself', () => {
    expect(() => vocabularyOf({ words: ['Dakar', 'Dakar'] })).toThrow(
      expect.objectContaining({ code: 'invalid-input' }),
    );
    const claimed = { name: 'x', words: ['Dakar'], fingerprint: cameroonDictionary.fingerprint };
    expect(vocabularyOf(claimed).fingerprint).not.toBe(cameroonDictionary.fingerprint);
  });

  it('finds a decoder’s dictionaries by the 16 hex digits a header carries', () => {
    const senegal = defineDictionary('sn', ['Dakar', 'Thiès']);
    const shelf = shelfOf([senegal]);
    expect(shelf.get(senegal.fingerprint.slice(0, 16))?.words).toEqual(['Dakar', 'Thiès']);
    expect(shelf.has(cameroonDictionary.fingerprint.slice(0, 16))).toBe(false);
    expect(shelfOf(undefined).get(cameroonDictionary.fingerprint.slice(0, 16))).toBe(CAMEROON_VOCABULARY);
  });
});
