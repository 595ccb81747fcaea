import {
  bigint,
  boolean,
  bytes,
  defineSystemTable,
  identity,
  integer,
  json,
  oneOf,
  references,
  smallint,
  text,
  timestamp,
  uuid,
} from '@xmcomm/contract';
import { lockoutColumns, userColumns } from './user-columns.js';

// The server's confidential data (the original's XMServerSystem): never exchanged, never readable
// by the statistics role. Later issues extend these tables through new migrations.

/** The migration that keeps the signed replies of received containers. */
export const receivedSignedReplies = '20261207-11-received-signed-replies';

/** The migration that gave clients their centre code (a column added after the table was released). */
export const clientsCentreCode = '20261207-10-clients-centre-code';

/** The migration that gave clients the services granted beyond their status (`juris`). */
export const clientsServices = '20261208-20-clients-services';

const matricule = (unique = false) =>
  text({ maxLength: 32, required: true, unique, pattern: '[A-Za-z0-9][A-Za-z0-9._-]{0,31}' });

/** The migration that gave server users their lockout state (xmserver's operator authentication). */
export const operatorLockoutMigrationName = '20261207-01-operator-lockout';

/**
 * Operators of the server. Privilege 0 suspends the user; 1 read-only, 2 operator, 3 supervisor.
 * Beyond a site user's columns, the state of the lockout that repeated wrong passwords trigger.
 */
export const serverUsers = defineSystemTable('xm_system', 'users', {
  ...userColumns,
  ...lockoutColumns(operatorLockoutMigrationName),
});

/** The remote sites (centres, courts, agencies), identified by their matricule. */
export const clients = defineSystemTable('xm_system', 'clients', {
  id: identity(),
  matricule: matricule(true),
  name: text({ maxLength: 150, required: true }),
  /** 0 suspended; 1 account and profile queries; 2 all but data services; 3 everything. */
  status: smallint({ required: true, min: 0, max: 3, default: 0 }),
  domain: text({ maxLength: 40 }),
  region: text({ maxLength: 100 }),
  locality: text({ maxLength: 100 }),
  contact: text({ maxLength: 200 }),
  /** The site's password, `zerokey` until the site changes it; scrypt PHC string. */
  password_hash: text({ maxLength: 255, required: true }),
  must_change_password: boolean({ required: true, default: true }),
  created_at: timestamp({ required: true, default: 'now' }),
  updated_at: timestamp({ required: true, default: 'now' }),
  /**
   * The code every NIU this site gives begins with, followed by a dash (ECR: the centre's six-digit
   * national code). The server refuses a row whose NIU is not the sender's, so that no site can take
   * another's numbers. No dash inside: what precedes an NIU's first dash names its centre alone.
   */
  centre_code: text({
    maxLength: 32,
    unique: true,
    pattern: '[A-Za-z0-9][A-Za-z0-9._]{0,31}',
    since: clientsCentreCode,
  }),
  /**
   * Services the operator granted this client beyond what its status allows, space-separated
   * (`juris`: the criminal record's tables). A table a server restricts to a service is received
   * from and answered to only a client at status 3 holding it.
   */
  services: text({ maxLength: 200, pattern: '[a-z][a-z0-9-]*( [a-z][a-z0-9-]*)*', since: clientsServices }),
});

/** One account per client, opened when the client is registered; movements live in the ledger. */
export const accounts = defineSystemTable('xm_system', 'accounts', {
  id: identity(),
  client_id: references(integer({ required: true, unique: true }), {
    table: 'xm_system.clients',
    column: 'id',
    onDelete: 'restrict',
  }),
  currency: text({ maxLength: 3, required: true, default: 'XAF' }),
  /** In minor units of the currency; how far below zero the operator lets the balance go. */
  overdraft_limit: bigint({ required: true, min: 0, default: 0 }),
  created_at: timestamp({ required: true, default: 'now' }),
});

/** Certificates the server knows: its own, trusted CAs, sites' and signatories'. */
export const certificates = defineSystemTable(
  'xm_system',
  'certificates',
  {
    id: identity(),
    client_id: references(integer(), { table: 'xm_system.clients', column: 'id', onDelete: 'restrict' }),
    purpose: oneOf(['ca', 'server', 'site', 'signatory'], { required: true }),
    subject: text({ maxLength: 1000, required: true }),
    issuer: text({ maxLength: 1000, required: true }),
    serial_number: text({ maxLength: 64, required: true }),
    /** Hex SubjectKeyIdentifier: how containers name their signer. */
    subject_key_identifier: text({ maxLength: 64, required: true }),
    fingerprint_sha256: text({ maxLength: 64, required: true, unique: true }),
    not_before: timestamp({ required: true }),
    not_after: timestamp({ required: true }),
    der: bytes({ required: true }),
    revoked_at: timestamp(),
    revocation_reason: text({ maxLength: 64 }),
    created_at: timestamp({ required: true, default: 'now' }),
  },
  { indexes: [['subject_key_identifier'], ['client_id']] },
);

/** Persons whose signatures on documents are recognised (officers, court clerks). */
export const signatories = defineSystemTable('xm_system', 'signatories', {
  id: identity(),
  client_id: references(integer(), { table: 'xm_system.clients', column: 'id', onDelete: 'restrict' }),
  full_name: text({ maxLength: 150, required: true }),
  role: text({ maxLength: 64, required: true }),
  certificate_id: references(integer(), {
    table: 'xm_system.certificates',
    column: 'id',
    onDelete: 'restrict',
  }),
  active: boolean({ required: true, default: true }),
  created_at: timestamp({ required: true, default: 'now' }),
  revoked_at: timestamp(),
});

/** Every container received, once: the key to idempotent apply and to re-sending the same receipt. */
export const receivedContainers = defineSystemTable(
  'xm_system',
  'received_containers',
  {
    id: identity(),
    container_id: uuid({ required: true, unique: true }),
    sender_matricule: matricule(),
    sequence: bigint({ min: 0 }),
    kind: text({ maxLength: 32, required: true }),
    table_name: text({ maxLength: 63 }),
    rows_total: integer({ required: true, min: 0, default: 0 }),
    rows_accepted: integer({ required: true, min: 0, default: 0 }),
    rows_rejected: integer({ required: true, min: 0, default: 0 }),
    size_bytes: integer({ required: true, min: 0 }),
    created_at: timestamp({ required: true }),
    received_at: timestamp({ required: true, default: 'now' }),
    /** The replies sent back, as sealed then (containers received before 20261207-11). */
    receipt: bytes(),
    /**
     * The replies signed but not encrypted, so that a container received again is answered with the
     * very same signed answer, encrypted for the site's certificate of that day (a site re-enrolled
     * after a wrong or revoked certificate can read it).
     */
    signed_replies: bytes({ since: receivedSignedReplies }),
  },
  // (sender_matricule, sequence) is indexed by its unique index (migration 20261122-21).
  { indexes: [['received_at']] },
);

export const serverSettings = defineSystemTable('xm_system', 'settings', {
  key: text({ maxLength: 100, required: true, primaryKey: true }),
  value: json({ required: true }),
  updated_at: timestamp({ required: true, default: 'now' }),
});

export const serverSystemTables = [
  serverUsers,
  clients,
  accounts,
  certificates,
  signatories,
  receivedContainers,
  serverSettings,
] as const;
