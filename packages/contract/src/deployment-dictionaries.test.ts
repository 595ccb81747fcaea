import { describe, expect, it } from 'vitest';
import {
  codecDictionaries,
  defaultDeploymentDictionaries,
  deploymentDictionariesKey,
  deploymentDictionariesValue,
  describeDictionaries,
  parseDeploymentDictionaries,
  parseDictionaryText,
} from './deployment-dictionaries.js';
import { cameroonDictionary } from './dictionaries/cameroon.js';
import { defineDictionary, dictionaryToJson } from './dictionary.js';
import { SchemaError } from './errors.js';

const current = defineDictionary('sn-etat-civil-2', ['Dakar', 'Thiès', 'Kaolack']);
const previous = defineDictionary('sn-etat-civil-1', ['Dakar', 'Thiès']);

describe('the recorded value', () => {
  it('is the dictionaries as files, words and all, under the key "dictionaries"', () => {
    expect(deploymentDictionariesKey).toBe('dictionaries');
    expect(deploymentDictionariesValue(current, [previous])).toEqual({
      dictionary: {
        kind: 'xmcomm-dictionary',
        name: current.name,
        fingerprint: current.fingerprint,
        words: current.words,
      },
      accepted: [
        {
          kind: 'xmcomm-dictionary',
          name: previous.name,
          fingerprint: previous.fingerprint,
          words: previous.words,
        },
      ],
    });
  });

  it('leaves the packing one and repeats out of the accepted list', () => {
    const value = deploymentDictionariesValue(current, [current, previous, previous]);
    expect(value.accepted.map((file) => file.name)).toEqual([previous.name]);
  });

  it('reads back as it was written, from the object or its JSON text', () => {
    const value = deploymentDictionariesValue(current, [previous]);
    for (const stored of [value, JSON.stringify(value)]) {
      const read = parseDeploymentDictionaries(stored);
      expect(read.isDefault).toBe(false);
      expect(read.dictionary).toEqual(current);
      expect(read.accepted).toEqual([previous]);
    }
  });

  it('is the Cameroon list when nothing is recorded', () => {
    expect(parseDeploymentDictionaries(undefined)).toBe(defaultDeploymentDictionaries);
    expect(defaultDeploymentDictionaries).toEqual({
      dictionary: cameroonDictionary,
      accepted: [],
      isDefault: true,
    });
  });

  it('refuses a damaged value with a SchemaError saying what is wrong', () => {
    const good = deploymentDictionariesValue(current, [previous]);
    const edited = { ...good.accepted[0], words: ['Dakar'] };
    const cases: [unknown, RegExp][] = [
      ['{not json', /is not JSON$/],
      [null, /is not a JSON object$/],
      [[good], /is not a JSON object$/],
      [{ dictionary: good.dictionary }, /has no "accepted" list$/],
      [{ accepted: [] }, /holds a bad "dictionary": a dictionary file is a JSON object$/],
      [
        { dictionary: good.dictionary, accepted: [edited] },
        /holds a bad "accepted" dictionary \(1\): .*fingerprint/,
      ],
    ];
    for (const [value, message] of cases) {
      let thrown: unknown;
      try {
        parseDeploymentDictionaries(value);
      } catch (error) {
        thrown = error;
      }
      expect(SchemaError.isInstance(thrown), String(message)).toBe(true);
      expect((thrown as SchemaError).code).toBe('invalid-definition');
      expect((thrown as Error).message).toMatch(/^the dictionaries setting /);
      expect((thrown as Error).message).toMatch(message);
    }
  });
});

describe('codecDictionaries', () => {
  it('packs with one and holds it, the accepted ones and the Cameroon list, once each', () => {
    const options = codecDictionaries({ dictionary: current, accepted: [previous, current] });
    expect(options.dictionary).toBe(current);
    expect(options.dictionaries).toEqual([current, previous, cameroonDictionary]);
    const plain = codecDictionaries(defaultDeploymentDictionaries);
    expect(plain).toEqual({ dictionary: cameroonDictionary, dictionaries: [cameroonDictionary] });
  });
});

describe('describeDictionaries', () => {
  it('names and fingerprints, not the words', () => {
    expect(describeDictionaries({ dictionary: current, accepted: [previous] })).toEqual({
      dictionary: { name: current.name, fingerprint: current.fingerprint },
      accepted: [{ name: previous.name, fingerprint: previous.fingerprint }],
    });
  });
});

describe('parseDictionaryText', () => {
  it('reads a dictionary file', () => {
    expect(parseDictionaryText(dictionaryToJson(current))).toEqual({ ok: true, dictionary: current });
  });

  it('says why a file is refused, in English and French', () => {
    const edited = JSON.parse(dictionaryToJson(previous));
    edited.words = ['Dakar', 'Thiès', 'Kaolack'];
    // A dictionary named "fingerprint" that is not one for another reason is not taken for an edited one.
    const named = { kind: 'xmcomm-dictionary', name: 'fingerprint', fingerprint: 'x', words: [] };
    const cases: [string, RegExp, RegExp][] = [
      [
        '{not json',
        /^not a dictionary file \(not JSON\)$/,
        /^ce n'est pas un fichier de dictionnaire \(pas du JSON\)$/,
      ],
      ['{"kind":"tariff"}', /^not a dictionary file \(/, /^ce n'est pas un fichier de dictionnaire \(/],
      [
        JSON.stringify(named),
        /^not a dictionary file \(.*no words/,
        /^ce n'est pas un fichier de dictionnaire/,
      ],
      [
        JSON.stringify(edited),
        /^its words do not match its fingerprint \(.*the file says/,
        /^ses mots ne correspondent pas à son empreinte \(/,
      ],
    ];
    for (const [text, en, fr] of cases) {
      const result = parseDictionaryText(text);
      expect(result.ok, text).toBe(false);
      if (result.ok) continue;
      expect(result.reason.en).toMatch(en);
      expect(result.reason.fr).toMatch(fr);
    }
  });
});
