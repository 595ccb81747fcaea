import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cameroonDictionary } from './dictionaries/cameroon.js';
import {
  defineDictionary,
  dictionaryFingerprint,
  dictionaryToJson,
  maxDictionaryWords,
  parseDictionary,
} from './dictionary.js';

describe('the Cameroon dictionary', () => {
  it('is format 2’s vocabulary, word for word: its fingerprint never changes', () => {
    // Format 2 implies this list (docs/sdc-format.md §4.6): containers stored in format 2 are read
    // with it. Changing a word or the order would misread them.
    expect(cameroonDictionary.words).toHaveLength(301);
    expect(cameroonDictionary.fingerprint).toBe(
      '71ff23c028d774419b6ac016d87754b3c4bdaae4f6b216eed513986774d8faaf',
    );
    const digest = createHash('sha256').update(cameroonDictionary.words.join('\n'), 'utf8').digest('hex');
    expect(digest).toBe(cameroonDictionary.fingerprint);
    expect(cameroonDictionary.name).toBe('cm-civil-registration');
    expect(Object.isFrozen(cameroonDictionary.words)).toBe(true);
  });
});

describe('defineDictionary', () => {
  it('fingerprints the words in order, not the name', () => {
    const a = defineDictionary('a', ['Dakar', 'Thiès']);
    expect(a.fingerprint).toBe(dictionaryFingerprint(['Dakar', 'Thiès']));
    expect(defineDictionary('b', ['Dakar', 'Thiès']).fingerprint).toBe(a.fingerprint);
    expect(defineDictionary('a', ['Thiès', 'Dakar']).fingerprint).not.toBe(a.fingerprint);
    expect(defineDictionary('a', ['Dakar', 'Thiès', 'Kaolack']).fingerprint).not.toBe(a.fingerprint);
  });

  it('takes any well-formed Unicode word, emoji and accents included', () => {
    expect(defineDictionary('unicode', ['Ngaoundéré', '👶🏾', 'Dakar']).words).toHaveLength(3);
  });

  it('refuses what would make indices or the fingerprint ambiguous', () => {
    const refusals: [string, readonly string[]][] = [
      ['bad name!', ['x']],
      ['', ['x']],
      ['empty', []],
      ['twice', ['Dakar', 'Dakar']],
      ['blank', ['']],
      ['lf', ['Saint\nLouis']],
      ['marker', ['\u0001']],
      ['long', ['x'.repeat(1001)]],
      // PostgreSQL cannot store these, and a lone surrogate fingerprints as U+FFFD would.
      ['nul', ['Dak\u0000ar']],
      ['surrogate', ['\ud800']],
      ['low-surrogate', ['x\udc00y']],
      ['many', Array.from({ length: maxDictionaryWords + 1 }, (_, i) => `w${i}`)],
    ];
    for (const [name, words] of refusals) {
      expect(() => defineDictionary(name, words), name).toThrow(
        expect.objectContaining({ code: 'invalid-definition' }),
      );
    }
  });
});

describe('dictionary files', () => {
  const dictionary = defineDictionary('sn-etat-civil', ['Dakar', 'Thiès', 'Ndèye "Fatou"']);

  it('round-trip, byte for byte', () => {
    const json = dictionaryToJson(dictionary, { tables: ['births'], rows: 10 });
    const parsed = parseDictionary(JSON.parse(json));
    expect(parsed).toEqual(dictionary);
    expect(dictionaryToJson(parsed, { tables: ['births'], rows: 10 })).toBe(json);
    expect(json.split('\n')).toContain('    "Thiès",');
  });

  it('refuse a file whose words were edited after its fingerprint', () => {
    const file = JSON.parse(dictionaryToJson(dictionary));
    file.words[1] = 'Thies';
    expect(() => parseDictionary(file)).toThrow(/fingerprint/);
    expect(() => parseDictionary({ ...file, kind: 'other' })).toThrow(/not a dictionary/);
    expect(() => parseDictionary({ ...JSON.parse(dictionaryToJson(dictionary)), extra: 1 })).toThrow(/extra/);
    expect(() => parseDictionary([])).toThrow(expect.objectContaining({ code: 'invalid-definition' }));
  });
});
