import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority, generateKeyPair } from '@xmcomm/pki';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDocumentKey, importDocumentCertificate } from './document-key.js';
import { EcrError } from './errors.js';
import { centreFiles, createCentreKey, importCentreCertificate } from './keys.js';

let dir: string;
let ca: Awaited<ReturnType<typeof CertificateAuthority.createRoot>>;
const passphrase = 'a passphrase of 12+';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecr-keys-'));
  ca = await CertificateAuthority.createRoot({ subject: { commonName: 'Test CA' } });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EcrError);
  return error as EcrError;
};

async function certificateFor(publicKey?: Awaited<ReturnType<typeof generateKeyPair>>['publicKey']) {
  const key = publicKey ?? (await generateKeyPair({ type: 'ec', curve: 'P-256' })).publicKey;
  return (
    await ca.ca.issueCertificate({
      publicKey: key,
      profile: 'site',
      subject: { commonName: 'x', matricule: 'X' },
    })
  ).pem;
}

describe('the centre key and the document key: one way to make a key and install its certificate', () => {
  test('a certificate for another key, or not a certificate, is refused; a document key without its pair is unavailable', async () => {
    expect((await failure(importDocumentCertificate(dir, await certificateFor()))).code).toBe(
      'key-unavailable',
    );
    expect((await failure(importCentreCertificate(dir, await certificateFor()))).code).toBe(
      'not-initialised',
    );

    await createCentreKey(dir, { matricule: 'CEC-1', name: 'Centre' }, passphrase);
    await createDocumentKey(dir, { matricule: 'CEC-1' }, passphrase);
    const other = await failure(importCentreCertificate(dir, await certificateFor()));
    expect(other.code).toBe('configuration');
    expect(other.params).toMatchObject({ detail: "the certificate is for another key than this centre's." });
    const otherDocument = await failure(importDocumentCertificate(dir, await certificateFor()));
    expect(otherDocument.params).toMatchObject({
      detail: "the certificate is for another key than this centre's document key.",
    });
    expect((await failure(importCentreCertificate(dir, 'not a certificate'))).code).toBe('configuration');
    // A second key is never written over the first.
    const again = await failure(createCentreKey(dir, { matricule: 'CEC-1' }, passphrase));
    expect(again.code).toBe('file');
    expect(again.params).toMatchObject({ path: join(dir, centreFiles.privateKey) });
    expect((await failure(createCentreKey(dir, { matricule: 'CEC-1' }, 'short'))).code).toBe('usage');
  });

  test("a certificate for the centre's own key is installed", async () => {
    const { createPublicKey } = await import('node:crypto');
    const publicKey = createPublicKey(await readFile(join(dir, centreFiles.publicKey), 'utf8'));
    const installed = await importCentreCertificate(dir, await certificateFor(publicKey));
    expect(await readFile(installed.path, 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
