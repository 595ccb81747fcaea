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
  uuid,
} from '@xmcomm/contract';
import { lockoutColumns, userColumns } from './user-columns.js';

// A site's own data, in its local database, never exchanged.

/** The migration that gave site users the lockout state the server's operators have (ecr's login). */
export const siteUserLockoutMigrationName = '20261207-41-site-user-lockout';

/**
 * Officer (3), secretaries (2), agents (1); privilege 0 suspends the user. Repeated wrong passwords
 * lock the account, as on the server.
 */
export const siteUsers = defineSystemTable('xm_site', 'users', {
  ...userColumns,
  ...lockoutColumns(siteUserLockoutMigrationName),
});

/** Sealed containers waiting for the server's receipt, whatever transport carries them. */
export const outbox = defineSystemTable(
  'xm_site',
  'outbox',
  {
    id: identity(),
    container_id: uuid({ required: true, unique: true }),
    kind: text({ maxLength: 32, required: true }),
    table_name: text({ maxLength: 63 }),
    row_count: integer({ required: true, min: 0, default: 0 }),
    payload: bytes({ required: true }),
    state: oneOf(['pending', 'sent', 'acknowledged', 'failed'], { required: true, default: 'pending' }),
    attempts: integer({ required: true, min: 0, default: 0 }),
    next_attempt_at: timestamp({ required: true, default: 'now' }),
    created_at: timestamp({ required: true, default: 'now' }),
    sent_at: timestamp(),
    acknowledged_at: timestamp(),
    last_error: text({ maxLength: 500 }),
  },
  { indexes: [['state', 'next_attempt_at']] },
);

/** Containers received from the server (receipts, import responses, messages), stored before use. */
export const inbox = defineSystemTable(
  'xm_site',
  'inbox',
  {
    id: identity(),
    container_id: uuid({ required: true, unique: true }),
    kind: text({ maxLength: 32, required: true }),
    payload: bytes({ required: true }),
    received_at: timestamp({ required: true, default: 'now' }),
    applied_at: timestamp(),
    error: text({ maxLength: 500 }),
  },
  { indexes: [['applied_at']] },
);

export const siteSettings = defineSystemTable('xm_site', 'settings', {
  key: text({ maxLength: 100, required: true, primaryKey: true }),
  value: json({ required: true }),
  updated_at: timestamp({ required: true, default: 'now' }),
});

export const siteSystemTables = [siteUsers, outbox, inbox, siteSettings] as const;

/**
 * Text messages from the central server's operators (`xmserver client message`), taken out of their
 * container when it is received (the inbox keeps only the encrypted container). Read once for the
 * whole site: the first user who reads a message marks it read.
 */
export const siteMessages = defineSystemTable(
  'xm_site',
  'messages',
  {
    id: identity(),
    /** The container that brought it (one of `xm_site.inbox`). */
    container_id: uuid({ required: true, unique: true }),
    text: text({ maxLength: 2000, required: true }),
    /** When the server sent it, by the server's clock. */
    sent_at: timestamp(),
    received_at: timestamp({ required: true, default: 'now' }),
    /** When a user of the site first read it; null while unread. */
    read_at: timestamp(),
    /** Who read it first (a login of `xm_site.users`, kept as text: users come and go). */
    read_by: text({ maxLength: 64 }),
  },
  { indexes: [['read_at']] },
);

/** The migration that creates `xm_site.messages`. */
export const siteMessagesMigrationName = '20261207-40-site-messages';

/** The server's text messages, created by `siteMessagesMigrationName`. */
export const siteMessageTables = [siteMessages] as const;

/** The migration that creates `xm_site.web_sessions`. */
export const webSessionsMigrationName = '20261207-60-web-sessions';

/**
 * Sessions of the workstation UI (`ecr serve`). Only a SHA-256 hash of the cookie's token is kept,
 * so a copy of the database opens no session. A session ends at `expires_at`, or earlier when it has
 * not been used for `idle_timeout_seconds`; logging out deletes it, and so does a new login.
 */
export const webSessions = defineSystemTable(
  'xm_site',
  'web_sessions',
  {
    id: identity(),
    /** Hex SHA-256 of the token in the browser's cookie. */
    token_hash: text({ maxLength: 64, required: true, unique: true, pattern: '[0-9a-f]{64}' }),
    user_id: references(integer({ required: true }), {
      table: 'xm_site.users',
      column: 'id',
      onDelete: 'cascade',
    }),
    /** The workstation it was opened from (the client's address), for the history lines. */
    workstation: text({ maxLength: 100, required: true }),
    created_at: timestamp({ required: true }),
    last_used_at: timestamp({ required: true }),
    /** The absolute end, however busy the session. */
    expires_at: timestamp({ required: true }),
    idle_timeout_seconds: integer({ required: true, min: 1 }),
  },
  { indexes: [['user_id'], ['expires_at']] },
);

/** The workstation UI's sessions, created by `webSessionsMigrationName`. */
export const webSessionTables = [webSessions] as const;
