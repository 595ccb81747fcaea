// The server's signer register: only a client's own site certificate signs its containers; a batch
// from one site looks its certificate up once; a revocation takes effect at the next reload.
import { createHash } from 'node:crypto';
import { type CertificateAuthority, generateKeyPair, type IssuedCertificate } from '@xmcomm/pki';
import { type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { createTestDatabase, sampleBirth, type TestDatabase } from '@xmcomm/schema/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createServerSigners, createServerSync, statusGateOnly } from '../src/index.js';
import {
  type Identities,
  issueIdentities,
  registerCertificate,
  serverCodec,
  siteCodec,
} from './helpers/identities.js';
import { addClient } from './helpers/setup.js';

let database: TestDatabase<ServerDatabase>;
let ids: Identities;
let ca: CertificateAuthority;

async function issue(matricule: string, profile: 'site' | 'signatory') {
  const keys = await generateKeyPair();
  const certificate = await ca.issueCertificate({
    publicKey: keys.publicKey,
    profile,
    subject: { matricule },
  });
  return { matricule, keys, certificate };
}

async function record(
  db: Kysely<ServerDatabase>,
  certificate: IssuedCertificate,
  purpose: 'site' | 'signatory',
  matricule: string | null,
) {
  const client = matricule
    ? await db
        .selectFrom('xm_system.clients')
        .select('id')
        .where('matricule', '=', matricule)
        .executeTakeFirst()
    : undefined;
  await db
    .insertInto('xm_system.certificates')
    .values({
      client_id: client?.id ?? null,
      purpose,
      subject: certificate.info.subject,
      issuer: certificate.info.issuer,
      serial_number: certificate.serialNumber,
      subject_key_identifier: Buffer.from(certificate.subjectKeyIdentifier).toString('hex'),
      fingerprint_sha256: createHash('sha256').update(certificate.der).digest('hex'),
      not_before: new Date(certificate.info.notBefore) as never,
      not_after: new Date(certificate.info.notAfter) as never,
      der: certificate.der,
    })
    .execute();
}

const skiOf = (certificate: IssuedCertificate) => certificate.subjectKeyIdentifier;

beforeAll(async () => {
  database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
  ids = await issueIdentities('XMSERVER', ['SIG-1', 'SIG-2']);
  ca = ids.ca;
  for (const site of ids.sites) {
    await addClient(database.db, site.matricule, 3);
    await registerCertificate(database.db, site, ids);
  }
}, 60_000);

afterAll(async () => {
  await database?.close();
});

/** The register seen through a counter of the statements it sends; `failFirst` makes the first one fail. */
function counted(failFirst = false) {
  const counter = { statements: 0 };
  const db = database.db.withPlugin({
    transformQuery: ({ node }) => {
      counter.statements += 1;
      if (failFirst && counter.statements === 1) throw new Error('database unreachable');
      return node;
    },
    transformResult: async ({ result }) => result,
  });
  return { db, counter };
}

const site1 = () => ids.sites[0] as Identities['sites'][number];
const site2 = () => ids.sites[1] as Identities['sites'][number];

test('containers of one site checked at once look its certificate up once; a reload keeps it', async () => {
  const signers = await createServerSigners(database.db);
  const { db, counter } = counted();
  const counting = await createServerSigners(db);
  const loaded = counter.statements;
  const checks = await Promise.all(
    Array.from({ length: 8 }, () => counting.checkSigner(skiOf(site1().certificate))),
  );
  expect(checks.every((check) => check.ok && check.signer.matricule === 'SIG-1')).toBe(true);
  expect(counter.statements - loaded).toBe(1);

  await counting.reload();
  const reloaded = counter.statements;
  expect((await counting.checkSigner(skiOf(site1().certificate))).ok).toBe(true);
  expect(counter.statements).toBe(reloaded);
  expect((await signers.checkSigner(skiOf(site2().certificate))).ok).toBe(true);
});

test('a failed look-up is not kept: the next container asks the register again', async () => {
  const signers = await createServerSigners(database.db);
  const { db } = counted(true);
  await expect(createServerSigners(db)).rejects.toThrow('database unreachable');
  expect((await signers.checkSigner(skiOf(site2().certificate))).ok).toBe(true);
});

test("a signatory's certificate never signs a container, even one naming a site's matricule", async () => {
  // Issued by the national CA with the site's matricule in its subject, registered as a signatory of that site.
  const signatory = await issue('SIG-1', 'signatory');
  await record(database.db, signatory.certificate, 'signatory', 'SIG-1');
  const signers = await createServerSigners(database.db);
  const check = await signers.checkSigner(skiOf(signatory.certificate), {
    embeddedCertificates: [signatory.certificate.der],
  });
  expect(check.ok).toBe(false);

  // Through the whole server: refused, nothing stored, no receipt.
  const codec = await serverCodec(database.db, ids);
  const sync = createServerSync({
    db: database.db,
    codec,
    serverMatricule: 'XMSERVER',
    charging: statusGateOnly,
  });
  const forged = await siteCodec(
    { ...site1(), keys: signatory.keys, certificate: signatory.certificate },
    ids,
  ).seal({
    sender: 'SIG-1',
    recipient: null,
    sequence: 1,
    table: 'births',
    body: { kind: 'rows', rows: [{ numero: 1, ...sampleBirth, niu: 'SIG-1-2026-1' }] },
  });
  const outcome = await sync.applyContainer(forged.bytes);
  expect(outcome.status).toBe('refused');
  expect(outcome.replies).toEqual([]);
});

test('a certificate of the CA that is not in the register does not sign, embedded in the message or not', async () => {
  const stranger = await issue('SIG-2', 'site');
  const signers = await createServerSigners(database.db);
  const check = await signers.checkSigner(skiOf(stranger.certificate), {
    embeddedCertificates: [stranger.certificate.der],
  });
  expect(check.ok).toBe(false);
  if (!check.ok) expect(check.error.code).toBe('unknown-signer');
});

test("a site's certificate signs as that site only: another site's matricule in the header is refused", async () => {
  const codec = await serverCodec(database.db, ids);
  const sync = createServerSync({
    db: database.db,
    codec,
    serverMatricule: 'XMSERVER',
    charging: statusGateOnly,
  });
  const asOther = await siteCodec(site1(), ids).seal({
    sender: 'SIG-2',
    recipient: null,
    sequence: 7,
    table: 'births',
    body: { kind: 'rows', rows: [{ numero: 1, ...sampleBirth, niu: 'SIG-2-2026-1' }] },
  });
  const outcome = await sync.applyContainer(asOther.bytes);
  // The codec finds the signer is SIG-1 and refuses a container that claims to come from SIG-2.
  expect(outcome).toMatchObject({ status: 'refused', reason: 'untrusted-signer' });
  const stored = await database.db.selectFrom('xm_data.births').select('niu').execute();
  expect(stored).toEqual([]);
});

test('a certificate revoked in the register is refused after the next reload, even when the message carries it', async () => {
  const revoked = await issue('SIG-1', 'site');
  await record(database.db, revoked.certificate, 'site', 'SIG-1');
  const signers = await createServerSigners(database.db);
  const embedded = { embeddedCertificates: [revoked.certificate.der] };
  expect((await signers.checkSigner(skiOf(revoked.certificate), embedded)).ok).toBe(true);
  await database.db
    .updateTable('xm_system.certificates')
    .set({ revoked_at: new Date(), revocation_reason: 'keyCompromise' })
    .where('subject_key_identifier', '=', Buffer.from(skiOf(revoked.certificate)).toString('hex'))
    .execute();
  await signers.reload();
  const check = await signers.checkSigner(skiOf(revoked.certificate), embedded);
  expect(check.ok).toBe(false);
  if (!check.ok) expect(check.error.code).toBe('revoked');
  // The site's other certificate still signs.
  expect((await signers.checkSigner(skiOf(site1().certificate))).ok).toBe(true);
});
