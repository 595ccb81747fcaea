import { randomBytes } from 'node:crypto';
import {
  type AnyTable,
  criminalRecordTables,
  exchangedTables,
  type ServerDatabase,
  serverMigrations,
} from '@xmcomm/schema';
import { centreCodeOf, createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ContainerCodec, createServerSync, type ServerSync, statusGateOnly } from '../src/index.js';
import { createFakeCodec } from './helpers/fake-codec.js';

// Restricted tables (the criminal record's): received from and answered to only a client at status 3
// granted the service, an import only after an access request saying who asks and why, and only for
// conditions that fix one person's identity.

const server = 'CJN';
const court = 'TGI-0001';
const other = 'CEC-0009';
let database: TestDatabase<ServerDatabase>;
let codec: ContainerCodec;
let sync: ServerSync;
let sequence = 0;

const restrictedTables = {
  criminal_record_entries: {
    service: 'juris',
    identifying: ['person_surname', 'person_date_of_birth'],
    // A surname's spellings as typed, in capitals and capitalised (xmjuris sends these three).
    maxValues: 3,
    maxRows: 50,
  },
  criminal_record_annotations: { service: 'juris', identifying: ['entry_niu'], maxValues: 50, maxRows: 500 },
};

const entry = (n: number, surname: string) => ({
  numero: n,
  niu: `${centreCodeOf(court)}-2026-${n}`,
  reference: `${n}/SD/Just/2026`,
  court_name: 'Garoua-Boulai',
  person_surname: surname,
  person_given_names: 'Mangué',
  person_sex: 'male',
  person_date_of_birth: '1990-04-17',
  person_place_of_birth: 'Ekouk',
  decision_date: '2018-06-18',
  offence_class: 'misdemeanour',
  legal_qualification: 'Détournement de fonds publics',
  main_penalty: 'imprisonment',
  prison_months: 36,
  suspension: 'none',
  minor_at_the_time: false,
  excluded_from_b2: false,
  origin_matricule: court,
  origin_numero: n,
});

async function send(sender: string, body: Record<string, unknown>, table?: string) {
  sequence += 1;
  const sealed = await codec.seal({
    sender,
    recipient: server,
    sequence,
    ...(table ? { table } : {}),
    body: body as never,
  });
  const outcome = await sync.applyContainer(sealed.bytes);
  const replies = [];
  for (const bytes of outcome.replies) {
    const opened = await codec.open(bytes);
    if (opened.ok) replies.push(opened.value.body);
  }
  return { outcome, replies, sealed: sealed.bytes };
}

const receiptReason = (replies: readonly unknown[]) =>
  (replies[0] as { receipt: { results: { reason?: string }[] } }).receipt.results[0]?.reason ?? null;

const grant = (matricule: string, services: string | null, status = 3) =>
  database.db
    .updateTable('xm_system.clients')
    .set({ services, status })
    .where('matricule', '=', matricule)
    .execute();

const importRequest = (conditions: unknown[]) => ({
  kind: 'import-request',
  filter: { table: 'criminal_record_entries', conditions, limit: 100 },
});
const byIdentity = [
  { field: 'person_surname', op: 'in', value: ['Kobila', 'KOBILA'] },
  { field: 'person_date_of_birth', op: '=', value: '1990-04-17' },
];
const accessRequest = {
  kind: 'control',
  message: {
    type: 'access-request',
    table: 'criminal_record_entries',
    requestedBy: 'greffier',
    purpose: 'Bulletin No 3 asked by the person for a job application',
    detail: { bulletin: 'B3', surname: 'Kobila' },
  },
};

beforeAll(async () => {
  database = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
  const tables = [...exchangedTables, ...criminalRecordTables] as readonly AnyTable[];
  const keys = new Map([server, court, other].map((m) => [m, randomBytes(32)]));
  codec = createFakeCodec({ keys, tables });
  for (const matricule of [court, other]) {
    await database.db
      .insertInto('xm_system.clients')
      .values({
        matricule,
        centre_code: centreCodeOf(matricule),
        name: matricule,
        status: 3,
        password_hash: 'not-a-real-hash',
      })
      .execute();
  }
  sync = createServerSync({
    db: database.db,
    codec,
    serverMatricule: server,
    charging: statusGateOnly,
    tables,
    restrictedTables,
  });
});
afterAll(() => database?.close());

describe('restricted tables', () => {
  test('rows come in only from a client at status 3 granted the service', async () => {
    const rows = { kind: 'rows', rows: [entry(1, 'Kobila'), entry(2, 'Atangana')] };
    const without = await send(court, rows, 'criminal_record_entries');
    expect(receiptReason(without.replies)).toBe('service-not-allowed: juris');
    await grant(court, 'juris', 2);
    expect(receiptReason((await send(court, rows, 'criminal_record_entries')).replies)).toBe(
      'service-not-allowed',
    );
    await grant(court, 'juris');
    const accepted = await send(court, rows, 'criminal_record_entries');
    expect(accepted.outcome.accepted).toBe(2);
    const stored = await database.db.selectFrom('xm_data.criminal_record_entries').select('niu').execute();
    expect(stored).toHaveLength(2);
  });

  test('an import needs the service, then an access request, then one identity', async () => {
    // Another site app's client (a civil registration centre) reads nothing, with a reason.
    const foreign = await send(other, importRequest(byIdentity));
    expect(receiptReason(foreign.replies)).toBe('service-not-allowed: juris');
    const declared = await send(other, accessRequest);
    expect(receiptReason(declared.replies)).toBe('service-not-allowed: juris');

    // The court, granted: not without saying who asks and why first.
    const undeclared = await send(court, importRequest(byIdentity));
    expect(receiptReason(undeclared.replies)).toBe('purpose-required: no access request declared');
    const noWhy = await send(court, { ...accessRequest, message: { ...accessRequest.message, purpose: '' } });
    expect(receiptReason(noWhy.replies)).toMatch(/^purpose-required/);

    // A fishing filter (everyone born that day) is refused even when declared.
    await send(court, accessRequest);
    const fishing = await send(court, importRequest([byIdentity[1]]));
    expect(receiptReason(fishing.replies)).toBe('purpose-required: fix person_surname');

    // Nor one that lists many people's names under one declaration.
    const many = byIdentity.map((c) =>
      c.field === 'person_surname' ? { ...c, op: 'in', value: ['Kobila', 'Atangana', 'Eto', 'Mballa'] } : c,
    );
    const manyPeople = await send(court, importRequest(many as typeof byIdentity));
    expect(receiptReason(manyPeople.replies)).toBe('purpose-required: at most 3 values of person_surname');
    const nul = await send(court, {
      ...accessRequest,
      message: { ...accessRequest.message, requestedBy: 'gref\u0000fier' },
    });
    expect(receiptReason(nul.replies)).toMatch(/^purpose-required/);

    const answered = await send(court, importRequest(byIdentity));
    expect(receiptReason(answered.replies)).toBeNull();
    const page = answered.replies.find(
      (r) => (r as { kind: string }).kind === 'import-response',
    ) as unknown as {
      rows: { person_surname: string }[];
    };
    expect(page.rows.map((r) => r.person_surname)).toEqual(['Kobila']);

    // The same container again (a replay, or the court's resend): the rows do not go a second time.
    const replayed = await sync.applyContainer(answered.sealed);
    expect(replayed.status).toBe('duplicate');
    expect(replayed.replies).toEqual([]);
    expect(replayed.reason).toBe('restricted rows are answered once');

    // The declaration is used once.
    const again = await send(court, importRequest(byIdentity));
    expect(receiptReason(again.replies)).toBe('purpose-required: no access request declared');

    const logged = await database.db
      .selectFrom('xm_system.access_requests')
      .select(['matricule', 'table_name', 'requested_by', 'purpose', 'detail', 'rows', 'import_container_id'])
      .orderBy('id')
      .execute();
    expect(logged).toEqual([
      {
        matricule: court,
        table_name: 'criminal_record_entries',
        requested_by: 'greffier',
        purpose: 'Bulletin No 3 asked by the person for a job application',
        detail: { bulletin: 'B3', surname: 'Kobila' },
        rows: 1,
        import_container_id: expect.any(String),
      },
    ]);
  });

  test('the unrestricted tables are as before', async () => {
    const births = await send(other, {
      kind: 'import-request',
      filter: { table: 'births', conditions: [{ field: 'child_surname', op: '=', value: 'X' }] },
    });
    expect(receiptReason(births.replies)).toBeNull();
  });
});
