import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credit, setTariff, statement, syncCharging } from '@xmcomm/billing';
import {
  createSeal,
  createTrustList,
  defaultTemplatePath,
  readQrFromPdf,
  readTrustList,
  trustListToText,
  verifySeal,
} from '@xmcomm/documents';
import { type EmbeddedBroker, ServerTransport, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import { CertificateAuthority, exportPrivateKey, generateKeyPair, hashPassword } from '@xmcomm/pki';
import { type ServerDatabase, type SiteDatabase, serverMigrations, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { createSdcCodec, createServerSigners, createServerSync } from '@xmcomm/status-sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDocumentSigner } from '../src/document-key.js';
import { verifyExitCodes } from '../src/errors.js';
import { exitCodes, runCli } from '../src/index.js';
import { birth } from './fixtures.js';

// `ecr print` in-process: a copy or an extract of a validated act, sealed with the centre's document
// key, recorded as an issued_documents row that the sync sends and the server charges to the account.

const serverName = `central-print-${process.pid}`;
const matricule = `CEC-PRT-${process.pid}`;
const documentPassphrase = 'document key passphrase';
let dir: string;
let broker: EmbeddedBroker | undefined;
let site: TestDatabase<SiteDatabase>;
let server: TestDatabase<ServerDatabase>;
let transport: ServerTransport;
let clientId: number;
let trustList: Uint8Array;
let serverSync: ReturnType<typeof createServerSync>;

async function ecr(args: string[], env: Record<string, string> = {}, stdin?: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dir, ...args], {
    ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
    env: {
      ECR_USER: 'sec',
      ECR_PASSWORD: 'secretary-password',
      ECR_KEY_PASSPHRASE: 'centre key passphrase',
      ECR_DOCUMENT_KEY_PASSPHRASE: documentPassphrase,
      ECR_MQTT_VERSION: broker ? '4' : '5',
      ...env,
    },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    today: () => '2026-03-15',
    openDatabase: async () => ({ db: site.db, close: async () => {} }),
  });
  return { code, stdout, stderr };
}

const officer = { ECR_USER: 'chef', ECR_PASSWORD: 'officer-password' };
const agent = { ECR_USER: 'ali', ECR_PASSWORD: 'agent-password' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecr-print-'));
  let brokerUrl = process.env.MQTT_URL;
  if (!brokerUrl) {
    broker = await startEmbeddedBroker();
    brokerUrl = broker.url;
  }
  site = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
  server = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
  const root = await CertificateAuthority.createRoot({ subject: { commonName: 'Test National CA' } });
  const serverKey = await generateKeyPair();
  const serverCertificate = await root.ca.issueCertificate({
    publicKey: serverKey.publicKey,
    profile: 'server',
    subject: { commonName: serverName, matricule: serverName },
  });
  await writeFile(join(dir, 'server.pem'), serverCertificate.pem);
  await writeFile(join(dir, 'ca.pem'), root.certificate.pem);
  const init = await ecr(
    [
      ...['init', '--database-url', site.url, '--matricule', matricule, '--centre-code', '102034'],
      ...['--name', 'Yaoundé 1', '--officer', 'chef', '--broker', brokerUrl],
      ...['--server-cert', join(dir, 'server.pem'), '--ca-cert', join(dir, 'ca.pem')],
    ],
    { ...officer, ECR_NEW_PASSWORD: 'officer-password' },
  );
  expect(init.stderr).toBe('');
  const siteCertificate = await root.ca.issueCertificate({
    csr: await readFile(join(dir, 'centre.csr.pem'), 'utf8'),
    profile: 'site',
    subject: { matricule, commonName: matricule },
  });
  await writeFile(join(dir, 'issued.pem'), siteCertificate.pem);
  expect((await ecr(['cert', 'import', join(dir, 'issued.pem')], officer)).code).toBe(0);
  await ecr(['user', 'add', 'ali', '--role', 'agent'], { ...officer, ECR_NEW_PASSWORD: 'agent-password' });
  await ecr(['user', 'add', 'sec', '--role', 'secretary'], {
    ...officer,
    ECR_NEW_PASSWORD: 'secretary-password',
  });

  // The document key: made at the centre, its certificate issued by the national CA as a signatory's.
  const created = await ecr(['document-key', 'create'], officer);
  expect(created.code, created.stderr).toBe(0);
  const documentCertificate = await root.ca.issueCertificate({
    csr: await readFile(join(dir, 'document.csr.pem'), 'utf8'),
    profile: 'signatory',
    subject: { commonName: `${matricule} documents` },
  });
  await writeFile(join(dir, 'document-cert.issued.pem'), documentCertificate.pem);
  expect((await ecr(['document-key', 'import', join(dir, 'document-cert.issued.pem')])).code).toBe(0);
  const lister = await generateKeyPair();
  const listerCertificate = await root.ca.issueCertificate({
    publicKey: lister.publicKey,
    profile: 'server',
    subject: { commonName: 'trust list' },
  });
  trustList = createTrustList(
    {
      sequence: 1,
      issuedAt: new Date(),
      expiresAt: new Date('2030-01-01T00:00:00Z'),
      issuer: serverName,
      caCertificate: root.certificate.der,
      signers: [{ certificate: documentCertificate.der, label: matricule }],
      revocations: [],
    },
    { privateKey: lister.privateKey, chain: [listerCertificate.der] },
  );

  // The server: the centre allowed every service, its account credited, a tariff for documents.
  const { id } = await server.db
    .insertInto('xm_system.clients')
    .values({
      matricule,
      centre_code: '102034',
      name: 'Centre',
      status: 3,
      password_hash: await hashPassword('zerokey'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  clientId = id;
  await server.db.insertInto('xm_system.accounts').values({ client_id: id }).execute();
  for (const [certificate, purpose, client] of [
    [root.certificate, 'ca', null],
    [siteCertificate, 'site', id],
  ] as const) {
    const info = certificate.info;
    await server.db
      .insertInto('xm_system.certificates')
      .values({
        client_id: client,
        purpose,
        subject: info.subject,
        issuer: info.issuer,
        serial_number: info.serialNumber,
        subject_key_identifier: Buffer.from(certificate.subjectKeyIdentifier).toString('hex'),
        fingerprint_sha256: info.fingerprintSha256,
        not_before: new Date(info.notBefore),
        not_after: new Date(info.notAfter),
        der: Buffer.from(certificate.der),
      })
      .execute();
  }
  expect(
    (await credit(server.db, { clientId: id, amount: 10_000, actor: 'test', reason: 'opening' })).ok,
  ).toBe(true);
  await setTariff(server.db, {
    service: 'sds-export',
    table: 'issued_documents',
    perRow: 250,
    from: new Date('2026-01-01T00:00:00Z'),
  });
  const passphrase = 'server key passphrase';
  const identity = {
    privateKey: exportPrivateKey(serverKey.privateKey, { passphrase }),
    passphrase,
    certificate: serverCertificate.pem,
  };
  const sync = createServerSync({
    db: server.db,
    serverMatricule: serverName,
    charging: syncCharging('print-test'),
    codec: createSdcCodec({
      signer: identity,
      recipient: identity,
      signers: await createServerSigners(server.db),
      recipientsFor: () => [{ certificate: siteCertificate.pem }],
    }),
  });
  serverSync = sync;
  transport = new ServerTransport({
    url: brokerUrl,
    server: serverName,
    shared: !broker,
    ...(broker ? { protocolVersion: 4 as const } : {}),
    clientIdPrefix: `${serverName}-server`,
    handler: {
      onContainer: async (from, payload) => {
        const outcome = await sync.applyContainer(payload);
        if (outcome.sender === from) for (const reply of outcome.replies) await transport.send(from, reply);
      },
    },
  });
  await transport.start();
}, 120_000);

afterAll(async () => {
  await transport?.stop();
  await site?.close();
  await server?.close();
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

async function draftedBirth(fields: Record<string, unknown>): Promise<string> {
  const file = join(dir, 'act.json');
  await writeFile(file, JSON.stringify({ ...birth, ...fields }));
  const drafted = await ecr(['--json', 'act', 'new', 'birth', '--file', file], agent);
  return (JSON.parse(drafted.stdout) as { ref: string }).ref;
}

async function validatedBirth(fields: Record<string, unknown>): Promise<string> {
  const ref = await draftedBirth(fields);
  await ecr(['act', 'verify', ref]);
  expect((await ecr(['act', 'validate', ref], officer)).code).toBe(0);
  return ref;
}

const textOf = (file: string) => execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });

interface Printed {
  documentId: string;
  ref: string;
  kind: string;
  language: string;
  template: { id: string; version: number; sha256: string };
  issuedBy: string;
}

describe('ecr print', () => {
  test('prints an extract of a validated act: recorded, sealed with the document key, VALID', async () => {
    const ref = await validatedBirth({ child_given_names: 'Aïssatou Hélène' });
    const out = join(dir, 'extrait.pdf');
    const run = await ecr(['--json', 'print', ref, '--kind', 'extract', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as Printed;
    expect(printed).toMatchObject({
      ref,
      kind: 'extract',
      language: 'fr',
      issuedBy: 'sec',
      template: { id: 'birth-extract', version: 2 },
    });
    expect(printed.documentId).toMatch(/^102034-D\d{6}$/);

    const row = await site.db
      .selectFrom('xm_data.issued_documents')
      .selectAll()
      .where('niu', '=', printed.documentId)
      .executeTakeFirstOrThrow();
    const act = await site.db
      .selectFrom('xm_data.births')
      .select(['numero', 'niu'])
      .where('numero', '=', Number(ref.slice(1)))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 2,
      kind: 'extract',
      record_table: 'births',
      record_numero: act.numero,
      record_niu: act.niu,
      template_id: 'birth-extract',
      template_version: 2,
      template_sha256: printed.template.sha256,
      issued_by: 'sec',
      language: 'fr',
    });

    const seal = await readQrFromPdf(out);
    const verdict = verifySeal(seal ?? '', readTrustList(trustList), {
      at: new Date('2026-03-17T00:00:00Z'),
    });
    expect(verdict.status).toBe('VALID');
    if (verdict.status !== 'VALID') return;
    expect(verdict.content).toMatchObject({
      issuer: matricule,
      niu: act.niu,
      documentId: printed.documentId,
      recordType: 'birth',
      documentKind: 'extract',
      fields: { firstName: 'Aïssatou Hélène', lastName: 'Ngono', gender: 'F', dateOfBirth: '2024-02-29' },
    });
    const text = textOf(out);
    for (const words of ['Aïssatou Hélène', 'Féminin', '29 février 2024', 'Yaoundé 1', printed.documentId])
      expect(text).toContain(words);
  }, 60_000);

  test('prints a full copy in English from an edited template; a broken one names its line', async () => {
    const ref = await validatedBirth({ child_sex: 'male', child_given_names: 'Paul' });
    const edited = join(dir, 'birth-copy.json');
    const original = await readFile(defaultTemplatePath('birth-copy'), 'utf8');
    await copyFile(join(defaultTemplatePath('birth-copy'), '..', 'logo.png'), join(dir, 'logo.png'));
    await writeFile(edited, original.replace('Copie intégrale', 'Copie intégrale (modèle du centre)'));
    const out = join(dir, 'copy.pdf');
    const run = await ecr([
      '--json',
      'print',
      ref,
      '--kind',
      'copy',
      '--language',
      'en',
      '--template',
      edited,
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      kind: 'copy',
      language: 'en',
      template: { id: 'birth-copy' },
    });
    for (const words of ['Male', '29 February 2024']) expect(textOf(out)).toContain(words);

    await writeFile(edited, original.replace('{{gender|label}}', '{{gender|shout}}'));
    const broken = await ecr([
      'print',
      ref,
      '--kind',
      'copy',
      '--template',
      edited,
      '--out',
      join(dir, 'no.pdf'),
    ]);
    expect(broken.code, broken.stderr).toBe(exitCodes.usage);
    expect(broken.stderr).toMatch(/birth-copy\.json line \d+ .*unknown formatter "shout"/);
    // A template of another kind of document is refused, not printed.
    const other = await ecr([
      'print',
      ref,
      '--kind',
      'copy',
      '--template',
      defaultTemplatePath('death-copy'),
      '--out',
      join(dir, 'no.pdf'),
    ]);
    expect(other.code).toBe(exitCodes.usage);
  }, 60_000);

  test('refuses a draft, a clerk below the privilege, and says what the key lacks', async () => {
    const draft = await draftedBirth({ child_given_names: 'Draft' });
    const before = await countIssued();
    const refused = await ecr(['--json', 'print', draft, '--kind', 'extract', '--out', join(dir, 'no.pdf')]);
    expect(refused.code).toBe(exitCodes['invalid-state']);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: 'invalid-state' } });
    const french = await ecr([
      '--lang',
      'fr',
      'print',
      draft,
      '--kind',
      'extract',
      '--out',
      join(dir, 'no.pdf'),
    ]);
    expect(french.stderr).toContain("n'est pas encore validé");

    const ref = await validatedBirth({ child_given_names: 'Agent' });
    const byAgent = await ecr(['print', ref, '--kind', 'extract', '--out', join(dir, 'no.pdf')], agent);
    expect(byAgent.code).toBe(exitCodes['permission-denied']);
    const noKey = await ecr(['print', ref, '--kind', 'extract', '--out', join(dir, 'no.pdf')], {
      ECR_DOCUMENT_KEY_PASSPHRASE: 'the wrong passphrase',
    });
    expect(noKey.code).toBe(exitCodes['key-unavailable']);
    expect(await countIssued()).toBe(before);
  }, 60_000);

  test("each issue goes to the server with the acts and is charged once, under the documents' tariff", async () => {
    const issued = await countIssued();
    expect(issued).toBe(2);
    const sync = await ecr(['--json', 'sync', '--once', '--wait', '30'], officer);
    expect(sync.code, sync.stderr).toBe(0);
    const received = await server.db
      .selectFrom('xm_data.issued_documents')
      .select(['niu', 'kind', 'origin_matricule', 'record_niu', 'issued_by'])
      .orderBy('niu')
      .execute();
    expect(received).toHaveLength(2);
    expect(received.map((r) => r.kind).sort()).toEqual(['copy', 'extract']);
    expect(received.every((r) => r.origin_matricule === matricule && r.issued_by === 'sec')).toBe(true);
    const sent = await site.db.selectFrom('xm_data.issued_documents').select('status').execute();
    expect(sent.map((r) => r.status)).toEqual([4, 4]);

    const result = await statement(server.db, {
      clientId,
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2100-01-01T00:00:00Z'),
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const charges = result.value.entries.filter((e) => e.kind === 'charge' && e.table === 'issued_documents');
    expect(charges.reduce((sum, e) => sum + e.amount, 0)).toBe(-500);
    expect(charges.every((e) => e.service === 'sds-export' && e.quantity === 2)).toBe(true);
  }, 90_000);
});

async function countIssued(): Promise<number> {
  const { n } = await site.db
    .selectFrom('xm_data.issued_documents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

interface Verified {
  status: string;
  reason?: string;
  outcome: string;
  exitCode: number;
  content?: { niu: string; fields: Record<string, string> };
  online: null | {
    outcome: string;
    table: string;
    niu: string;
    fields: { field: string; printed: string; central: string | null; outcome: string }[];
  };
}

// `ecr verify`: the seal offline with the trust list the server sent the centre, then --online the
// central record asked for by NIU through an import request, field by field. The extract printed
// first above went to the server with the sync just before.
describe('ecr verify', () => {
  const extract = () => join(dir, 'extrait.pdf');
  let seal = '';

  test('refuses while the centre holds no trust list, then verifies offline once the sync brought it', async () => {
    seal = (await readQrFromPdf(extract())) ?? '';
    const none = await ecr(['verify', seal]);
    expect(none.code).toBe(exitCodes['no-trust-list']);
    expect(none.stderr).toContain('`ecr sync`');

    const pushed = await serverSync.pushTrustList(matricule, {
      sequence: 1,
      text: trustListToText(trustList),
    });
    expect(pushed).not.toBeNull();
    await transport.send(matricule, pushed as Uint8Array);
    const sync = await ecr(['sync', '--once', '--wait', '30'], officer);
    expect(sync.code, sync.stderr).toBe(0);

    const fromPdf = await ecr(['verify', extract()]);
    expect(fromPdf.code, fromPdf.stderr).toBe(verifyExitCodes.valid);
    expect(fromPdf.stdout).toMatch(/^VALID — /);
    expect(fromPdf.stdout).toContain('firstName: Aïssatou Hélène');
    expect(fromPdf.stdout).toContain(`Trust list: ${serverName} no. 1`);
    const french = await ecr(['--lang', 'fr', 'verify', '-'], {}, `${seal}\n`);
    expect(french.code, french.stderr).toBe(0);
    expect(french.stdout).toMatch(/^VALIDE — /);
    expect(french.stdout).toContain('Liste de confiance');
  }, 90_000);

  test('--online: a genuine extract is VALID and every printed field MATCHes the central record', async () => {
    const run = await ecr(['--json', 'verify', seal, '--online', '--wait', '30']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Asking the central server for births NIU');
    const result = JSON.parse(run.stdout) as Verified;
    expect(result).toMatchObject({ status: 'VALID', outcome: 'match', exitCode: 0 });
    expect(result.online?.table).toBe('births');
    const fields = result.online?.fields ?? [];
    expect(fields.map((f) => f.field).sort()).toEqual(Object.keys(result.content?.fields ?? {}).sort());
    expect(fields.every((f) => f.outcome === 'match')).toBe(true);
    expect(fields.find((f) => f.field === 'firstName')).toMatchObject({
      printed: 'Aïssatou Hélène',
      central: 'Aïssatou Hélène',
    });
    // The centre's own act is already here: the answer is compared, not stored a second time.
    const copies = await site.db
      .selectFrom('xm_data.births')
      .select('origin_matricule')
      .where('niu', '=', result.content?.niu ?? '')
      .execute();
    expect(copies).toEqual([{ origin_matricule: null }]);
  }, 90_000);

  test('fields the centre does not hold: each field MATCH or DIFFERS with both values, exit "differs"', async () => {
    // The central record cannot change once received (the lifecycle forbids it): what differs from it
    // is a paper sealed over other fields, here by the centre's own trusted key (a key misused, or an
    // act changed after printing). The seal is VALID; only the central record shows the difference.
    const genuine = verifySeal(seal, readTrustList(trustList));
    expect(genuine.status).toBe('VALID');
    if (genuine.status !== 'VALID') return;
    const signer = await loadDocumentSigner(dir, documentPassphrase);
    const altered = createSeal(
      { ...genuine.content, fields: { ...genuine.content.fields, firstName: 'Aïssatou Marie' } },
      signer,
    );
    const niu = genuine.content.niu;
    const run = await ecr(['verify', altered, '--online', '--wait', '30']);
    expect(run.code, run.stderr).toBe(verifyExitCodes.differs);
    expect(run.stdout).toMatch(/^VALID — /);
    expect(run.stdout).toContain(`At the central server (births, NIU ${niu}):`);
    expect(run.stdout).toContain(
      'firstName: DIFFERS — printed "Aïssatou Marie", at the centre "Aïssatou Hélène"',
    );
    expect(run.stdout).toContain('lastName: MATCH');
    expect(run.stdout).toContain('The paper DIFFERS from the central record');
    const french = await ecr(['--lang', 'fr', 'verify', altered, '--online', '--wait', '30']);
    expect(french.code).toBe(verifyExitCodes.differs);
    expect(french.stdout).toContain(
      'firstName: DIFFÈRE — imprimé « Aïssatou Marie », au centre « Aïssatou Hélène »',
    );
    expect(french.stdout).toContain('lastName: CONCORDE');
  }, 90_000);

  test('a forged seal is INVALID, exit "invalid", and the centre is not asked', async () => {
    const genuine = verifySeal(seal, readTrustList(trustList));
    expect(genuine.status).toBe('VALID');
    if (genuine.status !== 'VALID') return;
    const rogue = await CertificateAuthority.createRoot({ subject: { commonName: 'Rogue CA' } });
    const key = await generateKeyPair();
    const certificate = await rogue.ca.issueCertificate({
      publicKey: key.publicKey,
      profile: 'signatory',
      subject: { commonName: `${matricule} documents` },
    });
    const forged = createSeal(
      { ...genuine.content, fields: { ...genuine.content.fields, lastName: 'Faussaire' } },
      { certificate: certificate.der, privateKey: key.privateKey },
    );
    const run = await ecr(['--json', 'verify', forged, '--online', '--wait', '30']);
    expect(run.code).toBe(verifyExitCodes.invalid);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'INVALID',
      reason: 'unknown-signer',
      outcome: 'invalid',
      online: null,
    });
    expect(run.stderr).toBe('');
    const human = await ecr(['verify', forged]);
    expect(human.stdout).toMatch(/^INVALID — The signer is not in the trust list\./);
    expect(human.stdout).toContain('What the seal says (NOT to be trusted):');
  }, 60_000);

  test("an act the central server does not hold is NOT FOUND there; the print is in the act's history", async () => {
    const ref = await validatedBirth({ child_given_names: 'Inconnue' });
    const out = join(dir, 'unsent.pdf');
    const printed = await ecr(['--json', 'print', ref, '--kind', 'extract', '--out', out]);
    expect(printed.code, printed.stderr).toBe(0);
    const { documentId } = JSON.parse(printed.stdout) as Printed;
    const run = await ecr(['verify', out, '--online', '--wait', '30']);
    expect(run.code, run.stderr).toBe(verifyExitCodes['not-found']);
    expect(run.stdout).toMatch(
      /NOT FOUND at the central server: it holds no validated act births, NIU \S+\./,
    );

    const shown = await ecr(['act', 'show', ref]);
    expect(shown.stdout).toMatch(
      new RegExp(
        `printed an extract, document ${documentId} \\(template birth-extract v2\\), by sec on \\d{4}-`,
      ),
    );
    const french = await ecr(['--lang', 'fr', 'act', 'show', ref]);
    expect(french.stdout).toContain(
      `extrait imprimé, document ${documentId} (modèle birth-extract v2), par sec le`,
    );
    const history = JSON.parse((await ecr(['--json', 'act', 'history', ref])).stdout) as {
      kind: string;
      user: string;
      detail: unknown;
    }[];
    expect(history.filter((e) => e.kind === 'printed')).toEqual([
      expect.objectContaining({
        user: 'sec',
        detail: { kind: 'extract', document: documentId, template: 'birth-extract v2' },
      }),
    ]);

    // A print that fails inside its transaction leaves neither an issued document nor a history line.
    const broken = join(dir, 'broken-extract.json');
    const template = JSON.parse(await readFile(defaultTemplatePath('birth-extract'), 'utf8')) as {
      sealFields: string[];
    };
    await writeFile(
      broken,
      JSON.stringify({ ...template, sealFields: [...template.sealFields, 'noSuchField'] }),
    );
    await copyFile(join(defaultTemplatePath('birth-extract'), '..', 'logo.png'), join(dir, 'logo.png'));
    const before = await countIssued();
    const failed = await ecr(['print', ref, '--kind', 'extract', '--template', broken, '--out', out]);
    expect(failed.code, failed.stderr).toBe(exitCodes.usage);
    expect(await countIssued()).toBe(before);
    const after = JSON.parse((await ecr(['--json', 'act', 'history', ref])).stdout) as { kind: string }[];
    expect(after.filter((e) => e.kind === 'printed')).toHaveLength(1);
  }, 90_000);

  test('a request the central server refuses is that refusal with its reason (exit 13), never NOT FOUND', async () => {
    // Status 1: account and profile queries only, no data service (an import request is one).
    await server.db.updateTable('xm_system.clients').set({ status: 1 }).where('id', '=', clientId).execute();
    try {
      const run = await ecr(['--json', 'verify', seal, '--online', '--wait', '30']);
      expect(run.code, run.stderr).toBe(13);
      expect(run.stderr).toContain('"code":"server-refused"');
      expect(run.stdout).not.toContain('not-found');
    } finally {
      await server.db
        .updateTable('xm_system.clients')
        .set({ status: 3 })
        .where('id', '=', clientId)
        .execute();
    }
  }, 90_000);

  test('no link to the central server: the seal alone is checked, exit "no-link"', async () => {
    const run = await ecr(['--json', 'verify', seal, '--online', '--wait', '2'], {
      ECR_BROKER_URL: 'mqtt://127.0.0.1:1',
    });
    expect(run.code, run.stderr).toBe(verifyExitCodes['no-link']);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'VALID', outcome: 'no-link' });
    const human = await ecr(['verify', seal, '--online', '--wait', '2'], {
      ECR_BROKER_URL: 'mqtt://127.0.0.1:1',
    });
    expect(human.stdout).toContain('Not checked online: no link to the central server');
  }, 60_000);
});
