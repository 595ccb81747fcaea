import {
  type AnyTable,
  bigint,
  defineSystemTable,
  identity,
  integer,
  references,
  text,
  timestamp,
  uuid,
} from '@xmcomm/contract';
import { type Kysely, type Migration, sql } from 'kysely';

// The row lifecycle and the bookkeeping of @xmcomm/status-sync (issue 5).

/**
 * Rows a site sent that the server refused, with the server's reason: the visible error state of
 * the lifecycle. The row itself goes back to status 1 (editable); this says why, until it is sealed
 * again (`resolved_at`).
 */
export const rejections = defineSystemTable(
  'xm_site',
  'rejections',
  {
    id: identity(),
    table_name: text({ maxLength: 63, required: true }),
    numero: integer({ required: true, min: 1 }),
    container_id: uuid({ required: true }),
    reason: text({ maxLength: 64, required: true }),
    detail: text({ maxLength: 500 }),
    rejected_at: timestamp({ required: true, default: 'now' }),
    resolved_at: timestamp(),
  },
  { indexes: [['table_name', 'numero']] },
);

/** Named counters of a site (the per-sender sequence number of its containers), bumped in the sealing transaction. */
export const siteCounters = defineSystemTable('xm_site', 'counters', {
  name: text({ maxLength: 64, required: true, primaryKey: true }),
  value: bigint({ required: true, min: 0, default: 0 }),
});

/** Which rows an outbox item carries: the site cannot decrypt its own container, so it keeps the list. */
export const sealedRows = defineSystemTable(
  'xm_site',
  'sealed_rows',
  {
    outbox_id: references(integer({ required: true }), {
      table: 'xm_site.outbox',
      column: 'id',
      onDelete: 'cascade',
    }),
    table_name: text({ maxLength: 63, required: true }),
    numero: integer({ required: true, min: 1 }),
  },
  { uniques: [['outbox_id', 'numero']], indexes: [['table_name', 'numero']] },
);

export const statusSyncSiteTables = [rejections, siteCounters, sealedRows] as const;

/**
 * SQLSTATE raised by the lifecycle trigger. Class `XM` is not used by PostgreSQL, so the code can
 * be matched without reading the message.
 */
export const lifecycleViolationCode = 'XM001';

// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design
type AnyKysely = Kysely<any>;

const guardFunction = sql.id('xm_data', 'xm_row_lifecycle');

/**
 * Transitions of a row created here (origin null): 1 -> 0 cancel, 1 -> 1 edit, 1 -> 2 validate (NIU
 * required), 2 -> 3 sealed in a container, 3 -> 4 accepted by the server, 3 -> 1 rejected by the
 * server (back to editable; the reason is in xm_site.rejections), 3 -> 2 refused for the account's
 * sake (credit, status, quota: the row itself is fine and waits, validated, to go again). Data columns
 * are frozen from status 2 on. Rows with an origin (received by the server, imported by a site) are read-only. A row is
 * inserted at 1 or 2 (2 with its NIU), never further along; only status 0 and 1 rows created here
 * may be deleted.
 */
const guardBody = `
begin
  if tg_op = 'INSERT' then
    if (new.origin_matricule is null) <> (new.origin_numero is null) then
      raise exception using errcode = '${lifecycleViolationCode}',
        message = 'origin_matricule and origin_numero are both set or both null';
    end if;
    if new.status not in (1, 2) then
      raise exception using errcode = '${lifecycleViolationCode}',
        message = format('a row is inserted at status 1 or 2, not %s', new.status);
    end if;
    if new.origin_matricule is null and new.status = 2 and new.niu is null then
      raise exception using errcode = '${lifecycleViolationCode}',
        message = 'a validated row needs its NIU';
    end if;
    return new;
  end if;
  if tg_op = 'DELETE' then
    if old.origin_matricule is not null or old.status > 1 then
      raise exception using errcode = '${lifecycleViolationCode}',
        message = format('row %s (status %s) cannot be deleted', old.numero, old.status);
    end if;
    return old;
  end if;
  if old.origin_matricule is not null then
    raise exception using errcode = '${lifecycleViolationCode}',
      message = format('row %s was received from %s and is read-only', old.numero, old.origin_matricule);
  end if;
  if new.origin_matricule is not null or new.origin_numero is not null then
    raise exception using errcode = '${lifecycleViolationCode}',
      message = 'the origin of a row cannot change';
  end if;
  if old.status = new.status then
    if old.status <> 1 and (to_jsonb(new) - 'status') <> (to_jsonb(old) - 'status') then
      raise exception using errcode = '${lifecycleViolationCode}',
        message = format('row %s is frozen at status %s', old.numero, old.status);
    end if;
    return new;
  end if;
  if not ((old.status = 1 and new.status in (0, 2)) or (old.status = 2 and new.status = 3)
       or (old.status = 3 and new.status in (1, 2, 4))) then
    raise exception using errcode = '${lifecycleViolationCode}',
      message = format('row %s cannot go from status %s to %s', old.numero, old.status, new.status);
  end if;
  if old.status <> 1 and (to_jsonb(new) - 'status') <> (to_jsonb(old) - 'status') then
    raise exception using errcode = '${lifecycleViolationCode}',
      message = format('row %s is frozen at status %s', old.numero, old.status);
  end if;
  if new.status = 2 and new.niu is null then
    raise exception using errcode = '${lifecycleViolationCode}',
      message = 'a validated row needs its NIU';
  end if;
  return new;
end`;

function triggerName(table: AnyTable, suffix = '') {
  return sql.id(`${table.name}_lifecycle${suffix}`);
}

/**
 * The insert rules as a trigger condition: PostgreSQL evaluates it without entering PL/pgSQL, so
 * a good row (every row a server receives) costs no function call; only a row that breaks a rule
 * calls the guard, which says which rule.
 */
const insertBreaksARule = sql.raw(
  '(new.status not in (1, 2)) or ((new.origin_matricule is null) <> (new.origin_numero is null))' +
    ' or (new.origin_matricule is null and new.status = 2 and new.niu is null)',
);

const installGuard = (db: AnyKysely) =>
  sql`create or replace function ${guardFunction}() returns trigger language plpgsql as ${sql.lit(guardBody)}`.execute(
    db,
  );

/**
 * A migration that makes the database enforce the row lifecycle on these exchanged tables (one shared
 * trigger function, two triggers per table: inserts, updates and deletes). A new form's table gets it
 * with its own migration: `lifecycleMigration([judgments])`. The function is always the current one:
 * a database created earlier gets a new version from `lifecycleGuardMigration`.
 */
export function lifecycleMigration(tables: readonly AnyTable[]): Migration {
  return {
    async up(db: AnyKysely) {
      await db.schema.createSchema('xm_data').ifNotExists().execute();
      await installGuard(db);
      for (const table of tables) {
        await sql`create trigger ${triggerName(table, '_insert')} before insert on ${sql.table(table.qualifiedName)} for each row when (${insertBreaksARule}) execute function ${guardFunction}()`.execute(
          db,
        );
        await sql`create trigger ${triggerName(table)} before update or delete on ${sql.table(table.qualifiedName)} for each row execute function ${guardFunction}()`.execute(
          db,
        );
      }
    },
    async down(db: AnyKysely) {
      for (const table of tables) {
        for (const suffix of ['_insert', '']) {
          await sql`drop trigger if exists ${triggerName(table, suffix)} on ${sql.table(table.qualifiedName)}`.execute(
            db,
          );
        }
      }
    },
  };
}

/**
 * The guard of 20261207-12 (a row refused for its account goes back from 3 to 2) in a database whose
 * lifecycle migration ran before it. Down leaves the newer guard: the older one refused only that move.
 */
export const lifecycleGuardMigration: Migration = {
  async up(db: AnyKysely) {
    await installGuard(db);
  },
  async down() {},
};

/**
 * One container per (sender, sequence): a second container reusing a sequence number is a replay,
 * even when several server processes receive at once.
 */
export const uniqueSenderSequenceMigration: Migration = {
  async up(db: AnyKysely) {
    await db.schema
      .createIndex('received_containers_sender_sequence_unique')
      .on('xm_system.received_containers')
      .columns(['sender_matricule', 'sequence'])
      .unique()
      .execute();
  },
  async down(db: AnyKysely) {
    // withSchema: dropIndex would quote 'xm_system.name' as one identifier.
    await db.schema.withSchema('xm_system').dropIndex('received_containers_sender_sequence_unique').execute();
  },
};

const plainSequenceIndex = 'received_containers_sender_matricule_sequence_idx';

/**
 * Drops the plain (sender_matricule, sequence) index that databases created before 20261122-32
 * still have: the unique index of 20261122-21 serves the same lookups, and each received
 * container paid an insert into both.
 */
export const receivedContainersOneSequenceIndexMigration: Migration = {
  async up(db: AnyKysely) {
    await db.schema.withSchema('xm_system').dropIndex(plainSequenceIndex).ifExists().execute();
  },
  async down(db: AnyKysely) {
    await db.schema
      .createIndex(plainSequenceIndex)
      .ifNotExists()
      .on('xm_system.received_containers')
      .columns(['sender_matricule', 'sequence'])
      .execute();
  },
};
