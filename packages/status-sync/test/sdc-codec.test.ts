import { hashPassword } from '@xmcomm/pki';
import {
  type AnyTable,
  defineDictionary,
  exchangedTables,
  type ServerDatabase,
  type SiteDatabase,
  serverMigrations,
  siteMigrations,
} from '@xmcomm/schema';
import { createTestDatabase, sampleBirth, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createSdcCodec,
  createServerSync,
  createSiteSync,
  describeReason,
  type ServerSync,
  type SiteSync,
  statusGateOnly,
} from '../src/index.js';
import {
  type Identities,
  issueIdentities,
  registerCertificate,
  serverCodec,
  siteCodec,
} from './helpers/identities.js';
import {
  addClient,
  niuOf,
  pump,
  serverBirthsFrom,
  statusesAtSite,
  validatedBirths,
} from './helpers/setup.js';

// The same flow as sync.test.ts, through the real codec: CMS signed and encrypted containers,
// signers checked against the server's certificate register.

let server: TestDatabase<ServerDatabase>;
let siteDb: TestDatabase<SiteDatabase>;
let ids: Identities;
let serverSync: ServerSync;
let codec: Awaited<ReturnType<typeof serverCodec>>;
let site: SiteSync;

beforeAll(async () => {
  [server, siteDb, ids] = await Promise.all([
    createTestDatabase<ServerDatabase>({ migrations: serverMigrations }),
    createTestDatabase<SiteDatabase>({ migrations: siteMigrations }),
    issueIdentities('XMSERVER', ['CEC-0001', 'CEC-0002']),
  ]);
  for (const identity of ids.sites) {
    await addClient(server.db, identity.matricule, 3);
    await registerCertificate(server.db, identity, ids);
  }
  codec = await serverCodec(server.db, ids);
  serverSync = createServerSync({
    db: server.db,
    codec,
    serverMatricule: 'XMSERVER',
    charging: statusGateOnly,
  });
  site = createSiteSync({
    db: siteDb.db,
    codec: siteCodec(ids.sites[0] as never, ids),
    matricule: 'CEC-0001',
    serverMatricule: 'XMSERVER',
    retry: { initialMs: 0, jitter: 0 },
  });
});
afterAll(async () => {
  await Promise.all([server?.close(), siteDb?.close()]);
});

describe('through @xmcomm/sdc-codec', () => {
  test('rows travel signed and encrypted, are verified against the register, and come back acknowledged', async () => {
    const numeros = await validatedBirths(siteDb.db, 4, 'SDC');
    await site.exportRows();
    const [item] = await site.nextItems();
    if (!item) throw new Error('no item');
    // Plain CMS: DER starting with a SEQUENCE, and no row value in clear.
    expect(item.payload[0]).toBe(0x30);
    expect(Buffer.from(item.payload).includes(Buffer.from(sampleBirth.mother_given_names))).toBe(false);
    const first = await serverSync.applyContainer(item.payload);
    const again = await serverSync.applyContainer(item.payload);
    expect(first).toMatchObject({ status: 'applied', accepted: 4 });
    expect(again.status).toBe('duplicate');
    // The very same signed receipt (its id, time and signature), encrypted anew.
    const reader = siteCodec(ids.sites[0] as never, ids);
    const opened = await Promise.all([...first.replies, ...again.replies].map((reply) => reader.open(reply)));
    expect(opened.every((o) => o.ok)).toBe(true);
    expect(opened[1]).toEqual(opened[0]);
    expect(again.replies[0]).not.toEqual(first.replies[0]);
    for (const reply of first.replies) await site.receive(reply);
    expect(await statusesAtSite(siteDb.db, numeros)).toEqual([4, 4, 4, 4]);
    expect((await serverBirthsFrom(server.db, 'CEC-0001')).map((r) => r.origin_numero)).toEqual(numeros);
  });

  test('a container signed by another registered site but claiming to be CEC-0001 is refused', async () => {
    const other = siteCodec(ids.sites[1] as never, ids);
    const forged = await other.seal({
      sender: 'CEC-0001',
      recipient: null,
      sequence: 99,
      table: 'births',
      body: { kind: 'rows', rows: [{ numero: 77, ...sampleBirth, niu: 'FORGED' }] },
    });
    const outcome = await serverSync.applyContainer(forged.bytes);
    expect(outcome.status).toBe('refused');
    expect(outcome.reason).toBe('untrusted-signer');
  });

  test('a revoked certificate is refused, and the site keeps its rows for a later re-send', async () => {
    const numeros = await validatedBirths(siteDb.db, 1, 'REV');
    const ski = Buffer.from((ids.sites[0] as Identities['sites'][number]).certificate.subjectKeyIdentifier);
    await server.db
      .updateTable('xm_system.certificates')
      .set({ revoked_at: new Date() as never })
      .where('subject_key_identifier', '=', ski.toString('hex'))
      .execute();
    await codec.signers.reload();
    await site.exportRows();
    const [item] = await site.nextItems();
    if (!item) throw new Error('no item');
    expect(await serverSync.applyContainer(item.payload)).toMatchObject({
      status: 'refused',
      reason: 'revoked-signer',
    });
    expect(await statusesAtSite(siteDb.db, numeros)).toEqual([3]);
    await server.db
      .updateTable('xm_system.certificates')
      .set({ revoked_at: null })
      .where('subject_key_identifier', '=', ski.toString('hex'))
      .execute();
    await pump(site, serverSync);
    expect(await statusesAtSite(siteDb.db, numeros)).toEqual([4]);
  });

  test("a container sent again is answered for the site's certificate of now, not the one its receipt was first sealed for", async () => {
    const site2 = ids.sites[1] as Identities['sites'][number];
    const other = ids.sites[0] as Identities['sites'][number];
    // An operator's mistake: CEC-0002 enrolled again with CEC-0001's request (a register from before
    // enrolment refused a key certified for another site). Receipts for CEC-0002 go to that certificate.
    const wrong = await ids.ca.issueCertificate({
      publicKey: other.keys.publicKey,
      profile: 'site',
      subject: { matricule: 'CEC-0002' },
    });
    await registerCertificate(server.db, { ...site2, certificate: wrong }, ids);
    const serverProcess = async () =>
      createServerSync({
        db: server.db,
        codec: await serverCodec(server.db, ids),
        serverMatricule: 'XMSERVER',
        charging: statusGateOnly,
      });
    const sent = await siteCodec(site2, ids).seal({
      sender: 'CEC-0002',
      recipient: null,
      sequence: 5001,
      table: 'births',
      body: { kind: 'rows', rows: [{ numero: 1, ...sampleBirth, niu: niuOf('CEC-0002', 'RESEAL-1') }] },
    });
    const answered = await (await serverProcess()).applyContainer(sent.bytes);
    expect(answered).toMatchObject({ status: 'applied', accepted: 1 });
    expect((await siteCodec(site2, ids).open(answered.replies[0] as Uint8Array)).ok).toBe(false);

    // The operator revokes the wrong certificate; the site, which never read its receipt, sends the
    // container again: the same receipt, now encrypted for the site's own certificate.
    await server.db
      .updateTable('xm_system.certificates')
      .set({ revoked_at: new Date() as never })
      .where('fingerprint_sha256', '=', wrong.info.fingerprintSha256)
      .execute();
    const again = await (await serverProcess()).applyContainer(sent.bytes);
    expect(again).toMatchObject({ status: 'duplicate', accepted: 1 });
    const opened = await siteCodec(site2, ids).open(again.replies[0] as Uint8Array);
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.value.body).toMatchObject({ kind: 'receipt', receipt: { acknowledges: sent.containerId } });
  });

  test('an import request the server cannot read past its signature is answered with a refusal, never dropped', async () => {
    // A limit of 2^53 is no safe integer: the site's own check refuses it, a forged request does not.
    const sealed = await siteCodec(ids.sites[0] as never, ids).seal({
      sender: 'CEC-0001',
      recipient: null,
      sequence: 7001,
      body: { kind: 'import-request', filter: { table: 'births', conditions: [], limit: 2 ** 53 } },
    });
    const answered = await serverSync.applyContainer(sealed.bytes);
    expect(answered).toMatchObject({ status: 'applied', accepted: 0, rejected: 1 });
    const opened = await siteCodec(ids.sites[0] as never, ids).open(answered.replies[0] as Uint8Array);
    if (!opened.ok || opened.value.body.kind !== 'receipt') throw new Error('no receipt');
    expect(opened.value.body.receipt).toMatchObject({
      acknowledges: sealed.containerId,
      results: [{ numero: 0, accepted: false, reason: expect.stringMatching(/^invalid-filter/) }],
    });
  });

  test('an import with between and order travels whole, and the rows are stored read-only with their origin', async () => {
    const other = siteCodec(ids.sites[1] as never, ids);
    const rows = [1, 2, 3].map((numero) => ({
      numero,
      ...sampleBirth,
      niu: niuOf('CEC-0002', `B-${numero}`),
    }));
    const sent = await other.seal({
      sender: 'CEC-0002',
      recipient: null,
      sequence: 1,
      table: 'births',
      body: { kind: 'rows', rows },
    });
    expect(await serverSync.applyContainer(sent.bytes)).toMatchObject({ status: 'applied', accepted: 3 });
    const queued = await site.requestImport({
      table: 'births',
      conditions: [
        { field: 'origin_matricule', op: '=', value: 'CEC-0002' },
        { field: 'origin_numero', op: 'between', value: [2, 3] },
      ],
      order: [{ field: 'origin_numero', direction: 'desc' }],
      limit: 1,
    });
    expect(queued.ok).toBe(true);
    const [request] = await site.nextItems();
    if (!request) throw new Error('no request');
    const answered = await serverSync.applyContainer(request.payload);
    // A receipt, then one page: the highest numero first (the order travelled), naming its request.
    expect(answered).toMatchObject({ status: 'applied', accepted: 1 });
    const page = await (await serverCodec(server.db, ids)).open(answered.replies[1] as Uint8Array);
    expect(page.ok).toBe(false); // encrypted for the site, not for the server
    const opened = await siteCodec(ids.sites[0] as never, ids).open(answered.replies[1] as Uint8Array);
    expect(opened).toMatchObject({
      ok: true,
      value: {
        body: {
          kind: 'import-response',
          request: request.containerId,
          cursor: '1',
          rows: [expect.objectContaining({ origin_matricule: 'CEC-0002', origin_numero: 3 })],
        },
      },
    });
    await site.markSent(request.id);
    for (const reply of answered.replies) await site.receive(reply);
    const next = await site.requestImport({
      table: 'births',
      conditions: [
        { field: 'origin_matricule', op: '=', value: 'CEC-0002' },
        { field: 'origin_numero', op: 'between', value: [2, 3] },
      ],
      order: [{ field: 'origin_numero', direction: 'desc' }],
      limit: 1,
      cursor: '1',
    });
    expect(next.ok).toBe(true);
    await pump(site, serverSync);
    const imported = await siteDb.db
      .selectFrom('xm_data.births')
      .select(['origin_matricule', 'origin_numero', 'status', 'niu'])
      .where('origin_matricule', 'is not', null)
      .orderBy('origin_numero')
      .execute();
    expect(imported).toEqual([
      { origin_matricule: 'CEC-0002', origin_numero: 2, status: 2, niu: 'CEC0002-B-2' },
      { origin_matricule: 'CEC-0002', origin_numero: 3, status: 2, niu: 'CEC0002-B-3' },
    ]);
    expect(await site.exportRows()).toEqual([]);
  });

  test('rows made against another contract get a schema-mismatch receipt, and go back to 1 with the reason', async () => {
    // The same site, with a births contract whose fingerprint differs from the server's.
    const identity = ids.sites[0] as (typeof ids.sites)[number];
    const trust = siteCodec(identity, ids);
    const otherContract = (exchangedTables as readonly AnyTable[]).map((table) =>
      table.name === 'births' ? { ...table, fingerprint: 'f'.repeat(64) } : table,
    );
    const drifted = createSiteSync({
      db: siteDb.db,
      codec: createSdcCodec({
        signer: { privateKey: identity.keys.privateKey, certificate: identity.certificate.der },
        recipient: { privateKey: identity.keys.privateKey, certificate: identity.certificate.der },
        signers: { checkSigner: () => ({ ok: false, error: { code: 'unknown-signer', message: 'unused' } }) },
        recipientsFor: () => [{ certificate: ids.server.certificate.der }],
        tables: otherContract,
      }),
      matricule: 'CEC-0001',
      serverMatricule: 'XMSERVER',
    });
    const numeros = await validatedBirths(siteDb.db, 2, 'DRIFT');
    await drifted.exportRows(['births']);
    const [item] = await drifted.nextItems();
    if (!item) throw new Error('no item');
    const outcome = await serverSync.applyContainer(item.payload);
    expect(outcome).toMatchObject({ status: 'applied', sender: 'CEC-0001', reason: 'schema-mismatch' });
    expect(await serverSync.applyContainer(item.payload)).toMatchObject({ status: 'duplicate' });
    const [receipt] = outcome.replies;
    expect(await trust.open(receipt as Uint8Array)).toMatchObject({
      ok: true,
      value: { body: { kind: 'receipt', receipt: { acknowledges: item.containerId } } },
    });
    await site.markSent(item.id);
    await site.receive(receipt as Uint8Array);
    expect(await statusesAtSite(siteDb.db, numeros)).toEqual([1, 1]);
    expect((await site.rejections('births')).filter((r) => numeros.includes(r.numero))).toEqual(
      numeros.map((numero) => expect.objectContaining({ numero, reason: 'schema-mismatch' })),
    );
    expect(await site.nextItems()).toEqual([]);
  });

  test('rows packed with a dictionary the server lacks get a refusal receipt, never wrong rows', async () => {
    // The same site, packing its words with a dictionary of its own the server was not given.
    const identity = ids.sites[0] as (typeof ids.sites)[number];
    const trust = siteCodec(identity, ids);
    const own = defineDictionary('sn-etat-civil', ['Dakar', 'Thiès', 'SEN', 'Awa']);
    const packing = createSiteSync({
      db: siteDb.db,
      codec: createSdcCodec({
        signer: { privateKey: identity.keys.privateKey, certificate: identity.certificate.der },
        recipient: { privateKey: identity.keys.privateKey, certificate: identity.certificate.der },
        signers: { checkSigner: () => ({ ok: false, error: { code: 'unknown-signer', message: 'unused' } }) },
        recipientsFor: () => [{ certificate: ids.server.certificate.der }],
        dictionary: own,
      }),
      matricule: 'CEC-0001',
      serverMatricule: 'XMSERVER',
    });
    const numeros = await validatedBirths(siteDb.db, 2, 'DICT');
    await packing.exportRows(['births']);
    const [item] = await packing.nextItems();
    if (!item) throw new Error('no item');
    const reason = `unknown-dictionary: ${own.fingerprint.slice(0, 16)}`;
    const outcome = await serverSync.applyContainer(item.payload);
    expect(outcome).toMatchObject({ status: 'applied', sender: 'CEC-0001', accepted: 0, reason });
    const stored = await serverBirthsFrom(server.db, 'CEC-0001');
    expect(stored.filter((row) => numeros.includes(row.origin_numero as number))).toEqual([]);
    const [receipt] = outcome.replies;
    expect(await trust.open(receipt as Uint8Array)).toMatchObject({
      ok: true,
      value: {
        body: {
          kind: 'receipt',
          receipt: { acknowledges: item.containerId, results: [{ numero: 0, accepted: false, reason }] },
        },
      },
    });
    await site.markSent(item.id);
    await site.receive(receipt as Uint8Array);
    expect(await statusesAtSite(siteDb.db, numeros)).toEqual([1, 1]);
    const rejections = (await site.rejections('births')).filter((r) => numeros.includes(r.numero));
    expect(rejections).toEqual(
      numeros.map((numero) =>
        expect.objectContaining({
          numero,
          reason: 'unknown-dictionary',
          detail: own.fingerprint.slice(0, 16),
        }),
      ),
    );
    expect(describeReason('unknown-dictionary', 'fr')).toBe(
      "Le serveur n'a pas le dictionnaire avec lequel les fiches ont été compactées",
    );
  });

  test('a password change from the centre is stored as its hash and answered; a bad hash or a suspended centre is refused', async () => {
    const hash = await hashPassword('a new centre password');
    const id = await site.requestControl({ type: 'password-change', passwordHash: hash });
    const [item] = await site.nextItems();
    expect(item?.id).toBe(id);
    const outcome = await serverSync.applyContainer((item as { payload: Uint8Array }).payload);
    expect(outcome).toMatchObject({ status: 'applied', accepted: 1, rejected: 0 });
    const reply = await siteCodec(ids.sites[0] as never, ids).open(outcome.replies[1] as Uint8Array);
    expect(reply).toMatchObject({
      ok: true,
      value: { body: { kind: 'control', message: { type: 'password-change-reply', accepted: true } } },
    });
    for (const r of outcome.replies) await site.receive(r);
    const client = () =>
      server.db
        .selectFrom('xm_system.clients')
        .select(['password_hash', 'must_change_password'])
        .where('matricule', '=', 'CEC-0001')
        .executeTakeFirstOrThrow();
    expect(await client()).toEqual({ password_hash: hash, must_change_password: false });
    expect(await site.pendingItems()).toEqual([]);

    // A password in clear instead of a hash is never stored.
    await site.requestControl({ type: 'password-change', passwordHash: 'secret123' });
    await pump(site, serverSync);
    const clear = await siteDb.db
      .selectFrom('xm_site.outbox')
      .select(['state', 'last_error'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(clear).toMatchObject({
      state: 'acknowledged',
      last_error: expect.stringMatching(/^invalid-field/),
    });
    expect((await client()).password_hash).toBe(hash);
    // Suspended (status 0): refused too.
    await server.db
      .updateTable('xm_system.clients')
      .set({ status: 0 })
      .where('matricule', '=', 'CEC-0001')
      .execute();
    const other = await hashPassword('another password');
    await site.requestControl({ type: 'password-change', passwordHash: other });
    const [suspended] = await site.nextItems();
    const answer = await serverSync.applyContainer((suspended as { payload: Uint8Array }).payload);
    expect(answer).toMatchObject({ status: 'applied', accepted: 0, rejected: 1, reason: 'suspended' });
    for (const r of answer.replies) await site.receive(r);
    await server.db
      .updateTable('xm_system.clients')
      .set({ status: 3 })
      .where('matricule', '=', 'CEC-0001')
      .execute();
    expect((await client()).password_hash).toBe(hash);
  });

  test('pendingItems gives every unacknowledged item, nextItems only those due', async () => {
    await site.requestAccount('account');
    const [item] = await site.nextItems();
    if (!item) throw new Error('no item');
    // A long backoff: not due any more, but still waiting for its receipt.
    const slow = createSiteSync({
      db: siteDb.db,
      codec: siteCodec(ids.sites[0] as never, ids),
      matricule: 'CEC-0001',
      serverMatricule: 'XMSERVER',
      retry: { initialMs: 3_600_000, jitter: 0 },
    });
    await slow.markSent(item.id);
    expect(await slow.nextItems()).toEqual([]);
    expect((await slow.pendingItems()).map((i) => i.id)).toEqual([item.id]);
    await pump(site, serverSync);
  });
  test('opened rows: a sender’s own row carries its numero after the columns; relayed and generic rows as they came', async () => {
    const codec = siteCodec(ids.sites[0] as never, ids);
    const opener = await serverCodec(server.db, ids);
    const own = { numero: 41, ...sampleBirth, niu: 'OWN-41' };
    const relayed = { ...sampleBirth, niu: 'RELAYED', origin_matricule: 'CEC-0077', origin_numero: 9 };
    const sealed = await codec.seal({
      sender: 'CEC-0001',
      recipient: null,
      sequence: 9001,
      table: 'births',
      body: { kind: 'rows', rows: [own, relayed] },
    });
    const opened = await opener.open(sealed.bytes);
    if (!opened.ok || opened.value.body.kind !== 'rows') throw new Error('not opened');
    const [first, second] = opened.value.body.rows as Record<string, unknown>[];
    const keys = Object.keys(first as object);
    expect(keys.slice(0, 2)).toEqual(['origin_matricule', 'origin_numero']);
    expect(keys.at(-1)).toBe('numero');
    expect(first).toMatchObject({
      origin_matricule: 'CEC-0001',
      origin_numero: 41,
      numero: 41,
      niu: 'OWN-41',
    });
    expect(second).toMatchObject({ origin_matricule: 'CEC-0077', origin_numero: 9, niu: 'RELAYED' });
    expect(Object.hasOwn(second as object, 'numero')).toBe(false);

    // A table outside the contract travels generically: the numero is added the same way.
    const generic = await codec.seal({
      sender: 'CEC-0001',
      recipient: null,
      sequence: 9002,
      table: 'not_exchanged',
      body: {
        kind: 'rows',
        rows: [
          { origin_matricule: 'CEC-0001', origin_numero: 5, x: 1 },
          { origin_matricule: 'CEC-0002', origin_numero: 6, x: 2 },
        ],
      },
    });
    const genericOpened = await opener.open(generic.bytes);
    if (!genericOpened.ok || genericOpened.value.body.kind !== 'rows') throw new Error('not opened');
    expect(genericOpened.value.header.fingerprint).toBeNull();
    expect(genericOpened.value.body.rows).toEqual([
      { origin_matricule: 'CEC-0001', origin_numero: 5, x: 1, numero: 5 },
      { origin_matricule: 'CEC-0002', origin_numero: 6, x: 2 },
    ]);
    expect(Object.keys(genericOpened.value.body.rows[0] as object)).toEqual([
      'origin_matricule',
      'origin_numero',
      'x',
      'numero',
    ]);
  });
});
