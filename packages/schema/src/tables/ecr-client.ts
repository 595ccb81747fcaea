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

// A civil registration centre's own records about its acts (ecr-client), never exchanged.

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
    table_name: oneOf(['births', 'marriages', 'deaths'], { required: true }),
    act_numero: integer({ required: true, min: 1 }),
    kind: oneOf(actEventKinds, { required: true }),
    user_login: text({ maxLength: 64 }),
    at: timestamp({ required: true, default: 'now' }),
    /** What changed (edited fields), the server's reason for a rejection, a container id. */
    detail: json(),
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
    table_name: oneOf(['births', 'marriages', 'deaths'], { required: true }),
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
