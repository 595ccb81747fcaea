/**
 * Made the format-2 fixtures of test/__fixtures__ once, with the codec as it was before format 3
 * (commit d2a2d7b): payloads whose words are indices into the Cameroon list, which format 2 implies.
 * test/format-2.test.ts checks that they still decode to the same rows and that today's encoder,
 * with its default dictionary, still writes the same bytes. `container-v2.sdc` is a whole container
 * (signed by site.pem's key, encrypted for server.key: test keys made for this, worth nothing). Kept to show how they were made; running
 * it again overwrites them. Run: npx tsx --conditions=@xmcomm/source scripts/format-2-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEncoder, decodePayload, encodePayload, type PayloadInput } from '../src/index.js';
import { inputs } from '../test/format-2-inputs.js';
import { createTestPki } from '../test/pki-fixtures.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', '__fixtures__');

const json = (value: unknown) =>
  `${JSON.stringify(value, (_key, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v), 2)}\n`;

for (const [name, input] of Object.entries(inputs)) {
  const bytes = encodePayload(input, { compression: 'brotli' });
  const decoded = decodePayload(bytes);
  if (!decoded.ok) throw decoded.error;
  writeFileSync(join(out, `${name}.cbor`), bytes);
  writeFileSync(join(out, `${name}.json`), json(decoded.value));
  console.log(name, bytes.length, 'bytes');
}

// A whole container around the 20 acts: the CMS layers do not change with format 3, but a receiver
// meets stored containers, not bare payloads.
const pki = createTestPki();
try {
  writeFileSync(join(out, 'site.pem'), pki.read('site.pem'));
  writeFileSync(join(out, 'server.key'), pki.read('server.key'));
  const encoder = createEncoder({
    signer: { privateKey: pki.read('site.key'), certificate: pki.read('site.pem') },
    recipients: [{ certificate: pki.read('server.pem') }],
  });
  const container = encoder.encode(inputs['payload-v2-births-20'] as PayloadInput) as Uint8Array;
  writeFileSync(join(out, 'container-v2.sdc'), container);
  console.log('container-v2', container.length, 'bytes');
} finally {
  pki.cleanup();
}
