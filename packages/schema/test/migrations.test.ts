import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  births,
  civilRegistrationTables,
  criminalRecordAnnotations,
  criminalRecordEntries,
  criminalRecordTables,
  exchangedTables,
  migrateToLatest,
  type ServerDatabase,
  type SiteDatabase,
  serverMigrations,
  serverSystemTables,
  siteMigrations,
  siteSystemTables,
  validateRow,
} from '../src/index.js';
import {
  createTestDatabase,
  type TestDatabase,
  sampleBirth as validBirth,
  withRollback,
} from '../src/testing.js';

describe('server database', () => {
  let test_db: TestDatabase<ServerDatabase>;
  beforeAll(async () => {
    test_db = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });
  });
  afterAll(() => test_db?.close());

  test('runs on the engine the environment asks for', async () => {
    const { rows } = await sql<{ version: string }>`select version() as version`.execute(test_db.db);
    const version = rows[0]?.version ?? '';
    if (process.env.DATABASE_URL) {
      expect(test_db.kind).toBe('postgres');
      // This machine's real PostgreSQL, not the embedded engine.
      expect(version).toMatch(/^PostgreSQL 1[3-9]\./);
      expect(version).not.toContain('PGlite');
    } else {
      expect(test_db.kind).toBe('pglite');
      expect(version).toContain('PGlite');
    }
  });

  test('keeps confidential data apart from exchanged data in two schemas', async () => {
    const { rows } = await sql<{ name: string }>`
      select table_schema || '.' || table_name as name from information_schema.tables
      where table_schema like 'xm\\_%'`.execute(test_db.db);
    const names = rows.map((r) => r.name);
    const expected = [...civilRegistrationTables, ...serverSystemTables].map((t) => t.qualifiedName);
    expect(names).toEqual(expect.arrayContaining(expected));
    expect(expected.filter((name) => name.startsWith('xm_data.'))).toHaveLength(3);
    expect(names.filter((name) => name.startsWith('xm_site.'))).toEqual([]);
  });

  test('running the migrations again changes nothing', async () => {
    expect(await migrateToLatest(test_db.db, serverMigrations)).toEqual([]);
  });

  test('migration 31 drops the foreign keys of charged_rows that older databases have; down restores them', async () => {
    const foreignKeys = async () =>
      (
        await sql<{ conname: string }>`select conname from pg_constraint
          where conrelid = 'xm_system.charged_rows'::regclass and contype = 'f' order by conname`.execute(
          test_db.db,
        )
      ).rows.map((r) => r.conname);
    expect(await foreignKeys()).toEqual([]);
    const migration = serverMigrations['20261122-31-charged-rows-without-foreign-keys'];
    // What the billing migration created before 20261122-31.
    await migration?.down?.(test_db.db);
    expect(await foreignKeys()).toEqual([
      'charged_rows_account_id_fkey',
      'charged_rows_ledger_entry_id_fkey',
    ]);
    await migration?.up(test_db.db);
    expect(await foreignKeys()).toEqual([]);
  });

  test('migration 32 drops the plain (sender, sequence) index of received_containers; the unique one stays', async () => {
    const indexes = async () =>
      (
        await sql<{ indexname: string }>`select indexname from pg_indexes
          where schemaname = 'xm_system' and tablename = 'received_containers' order by indexname`.execute(
          test_db.db,
        )
      ).rows.map((r) => r.indexname);
    const without = [
      'received_containers_container_id_key',
      'received_containers_pkey',
      'received_containers_received_at_idx',
      'received_containers_sender_sequence_unique',
    ];
    expect(await indexes()).toEqual(without);
    const migration = serverMigrations['20261122-32-received-containers-one-sequence-index'];
    // What the server-system migration created before 20261122-32.
    await migration?.down?.(test_db.db);
    expect(await indexes()).toEqual([...without, 'received_containers_sender_matricule_sequence_idx'].sort());
    await migration?.up(test_db.db);
    expect(await indexes()).toEqual(without);
    // Migration 21's down drops the unique index (it quoted schema and name as one identifier before).
    const unique = serverMigrations['20261122-21-received-sender-sequence'];
    await unique?.down?.(test_db.db);
    expect(await indexes()).toEqual(without.filter((name) => !name.endsWith('_unique')));
    await unique?.up(test_db.db);
    expect(await indexes()).toEqual(without);
  });

  test('migrations 20261207-01 and -02: users who existed before get an empty lockout state; sessions follow their user', async () => {
    const sessions = serverMigrations['20261207-02-operator-sessions'];
    const lockout = serverMigrations['20261207-01-operator-lockout'];
    // A server as it was before: no lockout columns, no sessions, one user.
    await sessions?.down?.(test_db.db);
    await lockout?.down?.(test_db.db);
    await sql`insert into xm_system.users (login, privilege, password_hash) values ('before', 3, 'h')`.execute(
      test_db.db,
    );
    await lockout?.up(test_db.db);
    await sessions?.up(test_db.db);
    try {
      const user = await test_db.db
        .selectFrom('xm_system.users')
        .select(['id', 'failed_logins', 'lockouts', 'locked_until'])
        .where('login', '=', 'before')
        .executeTakeFirstOrThrow();
      expect(user).toMatchObject({ failed_logins: 0, lockouts: 0, locked_until: null });
      const now = new Date();
      await test_db.db
        .insertInto('xm_system.operator_sessions')
        .values({
          token_hash: 'a'.repeat(64),
          user_id: user.id,
          origin: 'cli',
          created_at: now,
          last_used_at: now,
          expires_at: now,
          idle_timeout_seconds: 60,
        })
        .execute();
    } finally {
      await test_db.db.deleteFrom('xm_system.users').where('login', '=', 'before').execute();
    }
    expect(await test_db.db.selectFrom('xm_system.operator_sessions').select('id').execute()).toEqual([]);
  });

  test('migration 30 gives tariffs a period of validity: older prices apply from when they were set, down goes back', () =>
    withRollback(test_db.db, async (trx) => {
      const migration = serverMigrations['20261207-30-tariff-validity'];
      // What the billing migration created before 20261207-30: one line per service, table and currency.
      await migration?.down?.(trx);
      const setOn = new Date('2026-03-01T08:00:00Z');
      await sql`insert into xm_system.tariffs (service, per_row, updated_at) values ('sds-export', 25, ${setOn})`.execute(
        trx,
      );
      const duplicate = await trx.savepoint('duplicate').execute();
      await expect(
        sql`insert into xm_system.tariffs (service, per_row) values ('sds-export', 30)`.execute(duplicate),
      ).rejects.toThrow();
      await duplicate.rollbackToSavepoint('duplicate').execute();
      await migration?.up(trx);
      const [line] = await trx
        .selectFrom('xm_system.tariffs')
        .select(['per_row', 'valid_from', 'valid_until'])
        .execute();
      expect(line).toEqual({ per_row: 25, valid_from: setOn, valid_until: null });
      // Now several lines per service, table and currency, one per period; never two from the same instant.
      const later = new Date('2026-04-01T00:00:00Z');
      await trx
        .insertInto('xm_system.tariffs')
        .values({ service: 'sds-export', per_row: 30, valid_from: later } as never)
        .execute();
      for (const values of [
        { service: 'sds-export', per_row: 35, valid_from: later },
        { service: 'sds-import', valid_from: later, valid_until: setOn },
      ]) {
        const refused = await trx.savepoint('refused').execute();
        await expect(
          refused
            .insertInto('xm_system.tariffs')
            .values(values as never)
            .execute(),
        ).rejects.toThrow();
        await refused.rollbackToSavepoint('refused').execute();
      }
      // Down keeps the latest line of each service, table and currency.
      await migration?.down?.(trx);
      expect(await trx.selectFrom('xm_system.tariffs').select('per_row').execute()).toEqual([
        { per_row: 30 },
      ]);
      await migration?.up(trx);
    }));

  test('stores a validated birth and reads it back exactly, dates as strings and timestamps as Dates', () =>
    withRollback(test_db.db, async (trx) => {
      const checked = validateRow(births, { ...validBirth, drafted_at: '2024-03-04T09:30:00Z' });
      if (!checked.ok) throw new Error('fixture should be valid');
      const inserted = await trx
        .insertInto('xm_data.births')
        .values({ ...checked.value, origin_matricule: 'CEC-0001', origin_numero: 7, status: 2 } as never)
        .returning(['numero', 'date_of_birth', 'time_of_birth', 'drafted_at', 'status', 'mother_given_names'])
        .executeTakeFirstOrThrow();
      expect(inserted).toEqual({
        numero: expect.any(Number),
        date_of_birth: '2024-02-29',
        time_of_birth: '06:45:00',
        drafted_at: new Date('2024-03-04T09:30:00Z'),
        status: 2,
        mother_given_names: 'Béatrice',
      });
    }));

  test('the database itself refuses what the contract refuses', async () => {
    const base = validateRow(births, validBirth);
    if (!base.ok) throw new Error('fixture should be valid');
    const attempts: Record<string, unknown>[] = [
      { status: 5 },
      { child_sex: 'boy' },
      { child_surname: 'x'.repeat(101) },
      { child_surname: null },
      { date_of_birth: '2023-02-31' },
    ];
    for (const change of attempts) {
      await expect(
        withRollback(test_db.db, (trx) =>
          trx
            .insertInto('xm_data.births')
            .values({ ...base.value, ...change } as never)
            .execute(),
        ),
      ).rejects.toThrow();
    }
  });

  test('a row from one site is stored once: origin matricule and numero are unique together', () =>
    withRollback(test_db.db, async (trx) => {
      const base = validateRow(births, validBirth);
      if (!base.ok) throw new Error('fixture should be valid');
      const row = { ...base.value, origin_matricule: 'CEC-0001', origin_numero: 1 } as never;
      await trx.insertInto('xm_data.births').values(row).execute();
      const again = await trx.savepoint('again').execute();
      await expect(again.insertInto('xm_data.births').values(row).execute()).rejects.toThrow();
      await again.rollbackToSavepoint('again').execute();
    }));

  test('migration 20261208-10: the act tables are indexed by (validated_at, origin_matricule) for statistics', async () => {
    const { rows } = await sql<{
      tablename: string;
      indexdef: string;
    }>`select tablename, indexdef from pg_indexes
      where schemaname = 'xm_data' and indexname like '%_validated_at_origin_matricule_idx' order by tablename`.execute(
      test_db.db,
    );
    expect(rows.map((r) => r.tablename)).toEqual([
      'births',
      'criminal_record_annotations',
      'criminal_record_entries',
      'deaths',
      'marriages',
    ]);
    for (const row of rows) expect(row.indexdef).toMatch(/\(validated_at, origin_matricule\)/);
  });

  test('migration 20261207-85: the register keeps criminal-record entries and annotations, in the lifecycle', () =>
    withRollback(test_db.db, async (trx) => {
      const entry = validateRow(criminalRecordEntries, {
        reference: '103/SD/Just/2018',
        court_name: 'Garoua-Boulai',
        person_surname: 'Kobila',
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
      });
      const note = validateRow(criminalRecordAnnotations, {
        entry_niu: '20070002000005',
        kind: 'pardon',
        effective_date: '2020-01-01',
        authority: 'Décret 2020/001',
      });
      if (!entry.ok || !note.ok) throw new Error('fixtures should be valid');
      const origin = { origin_matricule: 'TGI-0001', origin_numero: 1, status: 2 };
      await trx
        .insertInto('xm_data.criminal_record_entries')
        .values({ ...entry.value, ...origin, niu: '20070002000005' } as never)
        .execute();
      await trx
        .insertInto('xm_data.criminal_record_annotations')
        .values({ ...note.value, ...origin } as never)
        .execute();
      const stored = await trx
        .selectFrom('xm_data.criminal_record_entries')
        .select(['person_date_of_birth', 'prison_months', 'status'])
        .executeTakeFirstOrThrow();
      expect(stored).toEqual({ person_date_of_birth: '1990-04-17', prison_months: 36, status: 2 });
      // The lifecycle guards them as the other exchanged tables: a status outside 0-4 is refused.
      const bad = await trx.savepoint('bad').execute();
      await expect(
        bad
          .updateTable('xm_data.criminal_record_annotations')
          .set({ status: 9 } as never)
          .execute(),
      ).rejects.toThrow();
      await bad.rollbackToSavepoint('bad').execute();
    }));

  test('int8 aggregates come back as numbers on both engines', async () => {
    const { count } = await test_db.db
      .selectFrom('xm_data.births')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(count).toBe(0);
  });
});

describe('site database', () => {
  let site: TestDatabase<SiteDatabase>;
  beforeAll(async () => {
    site = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
  });
  afterAll(() => site?.close());

  test('has the exchanged tables and its own, and no server tables', async () => {
    const { rows } = await sql<{ name: string }>`
      select table_schema || '.' || table_name as name from information_schema.tables
      where table_schema like 'xm\\_%'`.execute(site.db);
    const names = rows.map((r) => r.name);
    const expected = [...civilRegistrationTables, ...siteSystemTables].map((t) => t.qualifiedName);
    expect(names).toEqual(expect.arrayContaining(expected));
    expect(names.filter((name) => name.startsWith('xm_system.'))).toEqual([]);
  });

  test('holds no criminal-record table: another app (a civil registration centre) never has them', async () => {
    const { rows } = await sql<{ name: string }>`
      select table_schema || '.' || table_name as name from information_schema.tables
      where table_name like 'criminal%'`.execute(site.db);
    expect(rows).toEqual([]);
    // Nor does the contract's default list, that the codec and the sync use unless told otherwise.
    const names: readonly string[] = exchangedTables.map((table) => table.name);
    for (const table of criminalRecordTables) expect(names).not.toContain(table.name);
  });

  test('outbox items default to pending and keep their bytes', () =>
    withRollback(site.db, async (trx) => {
      const payload = new Uint8Array([0, 1, 2, 255]);
      const item = await trx
        .insertInto('xm_site.outbox')
        .values({ container_id: '0192f0c4-1111-7000-8000-000000000001', kind: 'rows', payload })
        .returning(['state', 'payload', 'attempts'])
        .executeTakeFirstOrThrow();
      expect(item.state).toBe('pending');
      expect(item.attempts).toBe(0);
      expect(new Uint8Array(item.payload)).toEqual(payload);
    }));

  test("migrations 20261207-40 and -41: the server's messages get their table; users who existed before get an empty lockout state", async () => {
    const messages = siteMigrations['20261207-40-site-messages'];
    const lockout = siteMigrations['20261207-41-site-user-lockout'];
    // A site as it was before: no messages table, no lockout columns, one user.
    await lockout?.down?.(site.db);
    await messages?.down?.(site.db);
    await sql`insert into xm_site.users (login, privilege, password_hash) values ('before', 3, 'h')`.execute(
      site.db,
    );
    await messages?.up(site.db);
    await lockout?.up(site.db);
    try {
      const user = await site.db
        .selectFrom('xm_site.users')
        .select(['failed_logins', 'lockouts', 'locked_until'])
        .where('login', '=', 'before')
        .executeTakeFirstOrThrow();
      expect(user).toEqual({ failed_logins: 0, lockouts: 0, locked_until: null });
      const message = await site.db
        .insertInto('xm_site.messages')
        .values({ container_id: '0192f0c4-1111-7000-8000-000000000002', text: 'Bonjour' })
        .returning(['read_at', 'read_by', 'received_at'])
        .executeTakeFirstOrThrow();
      expect(message).toMatchObject({ read_at: null, read_by: null, received_at: expect.any(Date) });
      await expect(
        sql`update xm_site.users set failed_logins = -1 where login = 'before'`.execute(site.db),
      ).rejects.toThrow();
    } finally {
      await site.db.deleteFrom('xm_site.messages').execute();
      await site.db.deleteFrom('xm_site.users').where('login', '=', 'before').execute();
    }
  });
  test('migration 20261207-60: web sessions get their table and go with their user', async () => {
    const migration = siteMigrations['20261207-60-web-sessions'];
    await migration?.down?.(site.db);
    await migration?.up(site.db);
    const user = await site.db
      .insertInto('xm_site.users')
      .values({ login: 'web', privilege: 1, password_hash: 'h' })
      .returning('id')
      .executeTakeFirstOrThrow();
    try {
      const at = new Date();
      const values = {
        user_id: user.id,
        workstation: '127.0.0.1',
        created_at: at,
        last_used_at: at,
        expires_at: at,
        idle_timeout_seconds: 900,
      };
      await site.db
        .insertInto('xm_site.web_sessions')
        .values({ ...values, token_hash: 'a'.repeat(64) })
        .execute();
    } finally {
      await site.db.deleteFrom('xm_site.users').where('id', '=', user.id).execute();
    }
    expect(await site.db.selectFrom('xm_site.web_sessions').select('id').execute()).toEqual([]);
  });
});
