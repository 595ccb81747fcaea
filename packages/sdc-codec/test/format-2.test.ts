import { createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineDictionary } from '@xmcomm/contract';
import { describe, expect, it } from 'vitest';
import {
  createDecoder,
  decodePayload,
  encodePayload,
  type PayloadInput,
  type SignerResolver,
} from '../src/index.js';
import { inputs } from './format-2-inputs.js';

/**
 * Payloads and a container of format 2, made by the codec before format 3 existed
 * (scripts/format-2-fixtures.ts): containers stored in sites' outboxes and servers' logs must
 * still decode, their words read from the Cameroon list that format 2 implies.
 */
const fixtures = join(import.meta.dirname, '__fixtures__');
const bytesOf = (name: string) => new Uint8Array(readFileSync(join(fixtures, name)));
const expected = (name: string) => JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8'));
const cameroon = '71ff23c028d77441';
/** Dates as the fixtures' JSON has them. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('format 2, as stored', () => {
  for (const name of Object.keys(inputs)) {
    it(`${name} decodes to the rows it was made from`, () => {
      const decoded = decodePayload(bytesOf(`${name}.cbor`));
      if (!decoded.ok) throw decoded.error;
      expect(decoded.value.header.version).toBe(2);
      const { header, body } = expected(name);
      // Format 2 names no dictionary: it means the Cameroon list, which the header now says.
      expect(asJson(decoded.value)).toEqual({ header: { ...header, dictionary: cameroon }, body });
    });

    it(`${name} decodes with the Cameroon list even for a receiver that holds other dictionaries`, () => {
      const other = defineDictionary('sn-etat-civil', ['Dakar', 'Thiès']);
      const decoded = decodePayload(bytesOf(`${name}.cbor`), { dictionaries: [other] });
      if (!decoded.ok) throw decoded.error;
      expect(asJson(decoded.value.body)).toEqual(expected(name).body);
    });

    it(`${name}: the default encoder still writes the same bytes`, () => {
      const bytes = encodePayload(inputs[name] as PayloadInput);
      expect(Buffer.from(bytes).equals(Buffer.from(bytesOf(`${name}.cbor`)))).toBe(true);
    });
  }

  it('a whole format-2 container still opens', async () => {
    const site = new X509Certificate(readFileSync(join(fixtures, 'site.pem')));
    const signers: SignerResolver = {
      checkSigner: (subjectKeyIdentifier) => ({
        ok: true,
        signer: {
          certificate: new Uint8Array(site.raw),
          publicKey: createPublicKey(site.publicKey.export({ format: 'pem', type: 'spki' })),
          subjectKeyIdentifier,
          subject: site.subject,
          notAfter: new Date(site.validTo),
        },
      }),
    };
    const decoder = createDecoder({
      recipient: { privateKey: readFileSync(join(fixtures, 'server.key'), 'utf8') },
      signers,
    });
    const decoded = await decoder.decode(bytesOf('container-v2.sdc'));
    if (!decoded.ok) throw decoded.error;
    const { header, body } = expected('payload-v2-births-20');
    expect(asJson({ header: decoded.value.header, body: decoded.value.body })).toEqual({
      header: { ...header, dictionary: cameroon },
      body,
    });
  });
});
