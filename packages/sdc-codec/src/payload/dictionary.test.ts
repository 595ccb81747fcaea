import { cameroonDictionary, defineDictionary } from '@xmcomm/contract';
import { describe, expect, it } from 'vitest';
import { birthAct, genericAct } from '../../bench/acts.js';
import { CborReader, CborWriter } from '../cbor.js';
import {
  decodePayload,
  decodePayloadHeader,
  encodePayload,
  openPayload,
  type PayloadInput,
} from './codec.js';
import { writePayloadFrame } from './header.js';

// Payload format 3 (docs/sdc-format.md §4.1, §4.6): the header names the deployment's dictionary.

const header = {
  sender: 'SN0001',
  recipient: null,
  sequence: 3,
  createdAt: new Date('2026-12-07T09:00:00Z'),
};

/** Acts of another country: the places and names the Cameroon list does not know. */
function senegalAct(index: number): Record<string, unknown> {
  const towns = ['Dakar', 'Thiès', 'Kaolack', 'Ziguinchor'] as const;
  const town = towns[index % towns.length] as string;
  return {
    ...birthAct(index),
    child_given_names: ['Fatou', 'Mamadou', 'Awa'][index % 3],
    place_of_birth_region: town,
    place_of_birth_locality: town,
    mother_residence_region: town,
    mother_residence_locality: town,
    mother_nationality: 'SEN',
    father_nationality: 'SEN',
  };
}
const senegal = defineDictionary('sn-etat-civil', [
  'SEN',
  'Dakar',
  'Thiès',
  'Kaolack',
  'Ziguinchor',
  'Fatou',
  'Mamadou',
  'Awa',
]);
const prefix = (fingerprint: string) => fingerprint.slice(0, 16);

const rows = (count: number, act = senegalAct): PayloadInput => ({
  ...header,
  kind: 'rows',
  table: 'births',
  rows: Array.from({ length: count }, (_, i) => act(i + 1)),
});

function expectRows(result: ReturnType<typeof decodePayload>): Record<string, unknown>[] {
  if (!result.ok) throw result.error;
  if (result.value.body.kind !== 'rows') throw new Error(result.value.body.kind);
  return result.value.body.rows as Record<string, unknown>[];
}

describe('payload format 3: a deployment’s own dictionary', () => {
  it('round-trips one row and a batch, contract and generic, naming the dictionary in the header', () => {
    const inputs: PayloadInput[] = [
      rows(1),
      rows(30),
      { ...header, kind: 'rows', table: 'births_elsewhere', rows: [1, 2, 3].map(genericAct) },
      {
        ...header,
        kind: 'import-response',
        table: 'births',
        rows: [senegalAct(4)].map(({ numero: _numero, ...row }) => ({
          ...row,
          origin_matricule: 'SN0002',
          origin_numero: 4,
        })),
      },
    ];
    for (const input of inputs) {
      const bytes = encodePayload(input, { dictionary: senegal });
      const withIt = decodePayload(bytes, { dictionaries: [senegal] });
      if (!withIt.ok) throw withIt.error;
      expect(withIt.value.header).toMatchObject({ version: 3, dictionary: prefix(senegal.fingerprint) });
      // The same rows as without any dictionary: only the way the words travel differs.
      const plain = decodePayload(encodePayload(input, { dictionary: null }));
      if (!plain.ok) throw plain.error;
      expect(plain.value.header).toMatchObject({ version: 3, dictionary: null });
      expect(withIt.value.body).toEqual(plain.value.body);
    }
  });

  it('saves the letters of the dictionary’s words', () => {
    for (const count of [1, 30]) {
      const own = encodePayload(rows(count), { dictionary: senegal }).length;
      const none = encodePayload(rows(count), { dictionary: null }).length;
      expect(own).toBeLessThan(none);
    }
  });

  it('refuses a body packed with a dictionary the receiver does not hold, before reading it', () => {
    const bytes = encodePayload(rows(5), { dictionary: senegal });
    // Another dictionary of the same length: its indices would give wrong rows, never accepted.
    const other = defineDictionary('other', [
      'CMR',
      'Douala',
      'Yaoundé',
      'Garoua',
      'Buea',
      'Marie',
      'Paul',
      'Rose',
    ]);
    for (const dictionaries of [undefined, [other], [cameroonDictionary, other]]) {
      const result = decodePayload(bytes, dictionaries ? { dictionaries } : {});
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'unknown-dictionary', message: expect.stringContaining(prefix(senegal.fingerprint)) },
      });
    }
    // The header alone still reads: the receiver knows whom to answer and which dictionary was used.
    expect(decodePayloadHeader(bytes)).toMatchObject({
      ok: true,
      value: { sender: 'SN0001', dictionary: prefix(senegal.fingerprint) },
    });
    // A body packed with no dictionary needs none.
    expect(decodePayload(encodePayload(rows(5), { dictionary: null }), { dictionaries: [] }).ok).toBe(true);
  });

  it('keeps writing format 2 for the Cameroon list and for bodies without rows', () => {
    expect(decodePayloadHeader(encodePayload(rows(2, birthAct)))).toMatchObject({
      ok: true,
      value: { version: 2, dictionary: prefix(cameroonDictionary.fingerprint) },
    });
    expect(
      decodePayloadHeader(encodePayload(rows(2, birthAct), { dictionary: cameroonDictionary })),
    ).toMatchObject({ ok: true, value: { version: 2 } });
    const receipt: PayloadInput = {
      ...header,
      kind: 'receipt',
      receipt: {
        acknowledges: '019aa8a4-6c00-7000-8000-000000000001',
        results: [{ numero: 1, accepted: true }],
      },
    };
    for (const dictionary of [senegal, null]) {
      const bytes = encodePayload(receipt, { dictionary });
      expect(decodePayloadHeader(bytes)).toMatchObject({ ok: true, value: { version: 2 } });
      // A receiver of another deployment, holding none of these dictionaries, reads it.
      expect(decodePayload(bytes, { dictionaries: [] }).ok).toBe(true);
    }
  });

  it('reads format 2 with the Cameroon list whatever dictionaries the receiver holds', () => {
    const bytes = encodePayload(rows(3, birthAct));
    const decoded = expectRows(decodePayload(bytes, { dictionaries: [senegal] }));
    expect(decoded).toEqual(expectRows(decodePayload(bytes)));
  });

  it('reads a format 3 header that names the Cameroon list, when the receiver holds it', () => {
    // What another implementation may write: the body of format 2 under a version 3 header.
    const v2 = openPayload(encodePayload(rows(3, birthAct)));
    if (!v2.ok) throw v2.error;
    const { header: h } = v2.value;
    const out = new CborWriter();
    writePayloadFrame(out, {
      kind: h.kind,
      containerId: h.containerId,
      sender: h.sender,
      recipient: h.recipient,
      sequence: h.sequence,
      table: h.table,
      contractFingerprint: h.fingerprint,
      dictionaryFingerprint: cameroonDictionary.fingerprint,
      compression: v2.value.compression,
      body: v2.value.body,
    });
    const v3 = out.finish();
    expect(decodePayloadHeader(v3)).toMatchObject({ ok: true, value: { version: 3 } });
    expect(expectRows(decodePayload(v3))).toEqual(
      expectRows(decodePayload(encodePayload(rows(3, birthAct)))),
    );
    expect(decodePayload(v3, { dictionaries: [senegal] })).toMatchObject({
      ok: false,
      error: { code: 'unknown-dictionary' },
    });
  });

  it('refuses a header whose length does not match its version', () => {
    for (const [version, fields] of [
      [2, 11],
      [3, 10],
    ] as const) {
      const bytes = encodePayload(rows(1), { dictionary: version === 3 ? senegal : undefined });
      // Rewrite the array head and the version; the rest stays as written.
      const reader = new CborReader(bytes);
      reader.arrayHead();
      reader.uint();
      const rest = bytes.subarray(2);
      const out = new CborWriter();
      out.head(4, fields);
      out.integer(version);
      out.raw(rest);
      expect(decodePayload(out.finish())).toMatchObject({ ok: false, error: { code: 'malformed' } });
    }
    const future = encodePayload(rows(1), { dictionary: senegal });
    const copy = new Uint8Array(future);
    copy[1] = 4;
    expect(decodePayload(copy)).toMatchObject({ ok: false, error: { code: 'unsupported-version' } });
  });

  it('refuses, on encode, a list that is no dictionary', () => {
    expect(() => encodePayload(rows(1), { dictionary: { words: ['Dakar', 'Dakar'] } })).toThrow(
      expect.objectContaining({ code: 'invalid-input' }),
    );
  });
});
