import {
  bytes,
  defineSystemTable,
  identity,
  integer,
  json,
  oneOf,
  references,
  text,
  timestamp,
} from '@xmcomm/contract';
import type { Migration } from 'kysely';

// A site's own records about its records (history, signatures), never exchanged. Born in ecr-client
// for births, marriages and deaths; @xmcomm/site-kit runs them for any record type's table.

/** The migration that gave history lines the workstation they were made from. */
export const historyWorkstationMigrationName = '20261207-50-site-kit-history-workstation';
/** The migration that lets history and signatures name any record type's table, not only the three acts'. */
export const anyRecordTableMigrationName = '20261207-51-site-kit-any-record-table';

/** What can happen to an act; `act history` reads these back in order. */
export const actEventKinds = [
  'drafted',
  'edited',
  'verified',
  'validated',
  'cancelled',
  'sealed',
  'exported',
  'rejected',
  'imported',
  /** Sent back to validated: the server refused the centre's account (credit, status, quota), not the act. */
  'held',
  /** A document (a copy, an extract) was issued from the record: its kind, id and template in `detail`. */
  'printed',
] as const;

/**
 * Traceability: one row per step of an act's life (who drafted, verified, validated, sent it, and
 * when). Rows are only ever inserted, so the history survives later edits of the act itself.
 */
export const actEvents = defineSystemTable(
  'xm_site',
  'act_events',
  {
    id: identity(),
    /** The exchanged table of the record (`births`, or any site record type's). */
    table_name: text({ maxLength: 63, required: true }),
    act_numero: integer({ required: true, min: 1 }),
    kind: oneOf(actEventKinds, { required: true }),
    user_login: text({ maxLength: 64 }),
    at: timestamp({ required: true, default: 'now' }),
    /** What changed (edited fields), the server's reason for a rejection, a container id. */
    detail: json(),
    /** The workstation the user acted from (a host name, a browser's address); null for the sync. */
    workstation: text({ maxLength: 128, since: historyWorkstationMigrationName }),
  },
  { indexes: [['table_name', 'act_numero']] },
);

/** A user's signing key: the public key in clear, the private key as encrypted PKCS#8 (locked by the user's password). */
export const userKeys = defineSystemTable('xm_site', 'user_keys', {
  id: identity(),
  user_id: references(integer({ required: true }), {
    table: 'xm_site.users',
    column: 'id',
    onDelete: 'cascade',
  }),
  /** DER SubjectPublicKeyInfo. */
  public_key: bytes({ required: true }),
  /** DER EncryptedPrivateKeyInfo. */
  encrypted_private_key: bytes({ required: true }),
  created_at: timestamp({ required: true, default: 'now' }),
  retired_at: timestamp(),
});

/**
 * The officer's signature over the validated act's canonical bytes. An act the server rejected and the
 * officer validated again gets a new signature; the latest one is the act's.
 */
export const actSignatures = defineSystemTable(
  'xm_site',
  'act_signatures',
  {
    id: identity(),
    table_name: text({ maxLength: 63, required: true }),
    act_numero: integer({ required: true, min: 1 }),
    niu: text({ maxLength: 32, required: true }),
    signer_login: text({ maxLength: 64, required: true }),
    user_key_id: references(integer({ required: true }), {
      table: 'xm_site.user_keys',
      column: 'id',
      onDelete: 'restrict',
    }),
    /** Hex SHA-256 of the canonical act that was signed. */
    digest: text({ maxLength: 64, required: true }),
    signature: bytes({ required: true }),
    signed_at: timestamp({ required: true, default: 'now' }),
  },
  { indexes: [['table_name', 'act_numero'], ['niu']] },
);

export const ecrClientTables = [actEvents, userKeys, actSignatures] as const;

/**
 * Drops the CHECK that kept history and signatures to births, marriages and deaths (databases made
 * before 20261207-51 have it; newer ones never get it). Down puts nothing back: rows of other tables
 * may exist by then.
 */
export const anyRecordTableMigration: Migration = {
  async up(db) {
    for (const table of [actEvents, actSignatures]) {
      await db.schema
        .alterTable(table.qualifiedName)
        .dropConstraint(`${table.name}_table_name_check`)
        .ifExists()
        .execute();
    }
  },
  async down() {},
};

/**
 * A form its author could not finish yet: the exchanged table refuses a row without its required
 * fields, so the fields wait here, as typed, until the author completes them into a record or discards them.
 */
export const unfinishedRecords = defineSystemTable(
  'xm_site',
  'unfinished_records',
  {
    id: identity(),
    /** The record type's name (`birth`). */
    record_type: text({ maxLength: 32, required: true }),
    author_id: references(integer({ required: true }), {
      table: 'xm_site.users',
      column: 'id',
      onDelete: 'cascade',
    }),
    fields: json({ required: true }),
    workstation: text({ maxLength: 128 }),
    created_at: timestamp({ required: true, default: 'now' }),
    updated_at: timestamp({ required: true, default: 'now' }),
  },
  { indexes: [['author_id', 'updated_at']] },
);

export const unfinishedRecordsMigrationName = '20261207-52-site-kit-unfinished-records';
export const siteKitTables = [unfinishedRecords] as const;
