// The server's signer register: a batch of containers from one site looks its certificate up once,
// registrations outlive a reload, and a revocation takes effect at the next reload.
import { registerClient } from '@xmcomm/billing';
import { CertificateAuthority, generateKeyPair, type IssuedCertificate } from '@xmcomm/pki';
import { type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { certificateFromDer, recordCertificate } from '../src/pki-store.js';
import { createServerSigners } from '../src/signers.js';

let database: TestDatabase<ServerDatabase>;
let site: IssuedCertificate;

beforeAll(async () => {
  database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
  const { ca, certificate: root } = await CertificateAuthority.createRoot({
    subject: { country: 'CM', organization: 'Etat civil', commonName: 'Signers Test CA' },
  });
  const keys = await generateKeyPair();
  site = await ca.issueCertificate({
    publicKey: keys.publicKey,
    profile: 'site',
    subject: { matricule: 'SIG-1' },
  });
  const client = await registerClient(database.db, {
    matricule: 'SIG-1',
    name: 'Signers',
    passwordHash: 'x',
    status: 3,
  });
  if (!client.ok) throw client.error;
  await recordCertificate(database.db, { ...certificateFromDer(root.der, 'ca'), purpose: 'ca' });
  await recordCertificate(database.db, {
    ...certificateFromDer(site.der, 'site'),
    purpose: 'site',
    clientId: client.clientId,
  });
}, 60_000);

afterAll(async () => {
  await database?.close();
});

/** The register seen through a counter of the statements it sends. */
function counted() {
  const counter = { statements: 0 };
  const db = database.db.withPlugin({
    transformQuery: ({ node }) => {
      counter.statements += 1;
      return node;
    },
    transformResult: async ({ result }) => result,
  });
  return { db, counter };
}

test('containers of one site checked at once look its certificate up once; a reload keeps it', async () => {
  const { db, counter } = counted();
  const signers = await createServerSigners(db);
  const loaded = counter.statements;
  const checks = await Promise.all(
    Array.from({ length: 8 }, () => signers.checkSigner(site.subjectKeyIdentifier)),
  );
  expect(checks.every((check) => check.ok && check.signer.matricule === 'SIG-1')).toBe(true);
  expect(counter.statements - loaded).toBe(1);

  await signers.reload();
  const reloaded = counter.statements;
  expect((await signers.checkSigner(site.subjectKeyIdentifier)).ok).toBe(true);
  expect(counter.statements).toBe(reloaded);
});

test('a certificate revoked in the register is refused after the next reload', async () => {
  const signers = await createServerSigners(database.db);
  expect((await signers.checkSigner(site.subjectKeyIdentifier)).ok).toBe(true);
  await database.db
    .updateTable('xm_system.certificates')
    .set({ revoked_at: new Date(), revocation_reason: 'keyCompromise' })
    .where('subject_key_identifier', '=', Buffer.from(site.subjectKeyIdentifier).toString('hex'))
    .execute();
  await signers.reload();
  const check = await signers.checkSigner(site.subjectKeyIdentifier);
  expect(check.ok).toBe(false);
  if (!check.ok) expect(check.error.code).toBe('unknown-signer');
});
