import {
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

// The central server application's own confidential tables (apps/xmserver).

/**
 * Every change made through xmserver, with the operator who made it. Written in the same
 * transaction as the change, so a change that did not happen is never logged and the reverse.
 */
export const auditLog = defineSystemTable(
  'xm_system',
  'audit_log',
  {
    id: identity(),
    at: timestamp({ required: true, default: 'now' }),
    /** The authenticated operator's login; for a refused login, the login that was tried. */
    operator: text({ maxLength: 100, required: true }),
    /** What was done, dotted: `client.add`, `user.set-privilege`, `pki.revoke`. */
    action: text({ maxLength: 64, required: true }),
    /** What it was done to: a login, a matricule, a certificate serial. */
    target: text({ maxLength: 200 }),
    /** Non-secret details (never a password or key). */
    details: json(),
  },
  { indexes: [['at'], ['target']] },
);

export const xmserverTables = [auditLog] as const;

/**
 * Operators' sessions (`xmserver login`, later the web console). Only a SHA-256 hash of the token
 * is kept, so a copy of the database opens no session. A session ends at `expires_at`, or earlier
 * when it has not been used for `idle_timeout_seconds`; logging out deletes it.
 */
export const operatorSessions = defineSystemTable(
  'xm_system',
  'operator_sessions',
  {
    id: identity(),
    /** Hex SHA-256 of the token the operator holds. */
    token_hash: text({ maxLength: 64, required: true, unique: true, pattern: '[0-9a-f]{64}' }),
    user_id: references(integer({ required: true }), {
      table: 'xm_system.users',
      column: 'id',
      onDelete: 'cascade',
    }),
    /** Where it was opened, for the audit and for a supervisor: `cli`, later `web`. */
    origin: text({ maxLength: 100, required: true }),
    created_at: timestamp({ required: true }),
    last_used_at: timestamp({ required: true }),
    /** The absolute end, however busy the session. */
    expires_at: timestamp({ required: true }),
    idle_timeout_seconds: integer({ required: true, min: 1 }),
  },
  { indexes: [['user_id'], ['expires_at']] },
);

export const operatorSessionTables = [operatorSessions] as const;

/** The migration that keeps the service's refusals (the console's dashboard counts them by reason). */
export const refusalsMigrationName = '20261207-80-refusals';

/**
 * What the service refused, with the reason: a container refused whole (unreadable, untrusted,
 * unknown sender: `container`), or the rows refused in an applied container (`rows`, the
 * container's first reason). One line per refusal, written by `xmserver run`; the rows' own
 * reasons travel in the receipts.
 */
export const refusals = defineSystemTable(
  'xm_system',
  'refusals',
  {
    id: identity(),
    at: timestamp({ required: true, default: 'now' }),
    /** Null when the container could not even say who sent it. */
    sender_matricule: text({ maxLength: 32 }),
    container_id: uuid(),
    scope: oneOf(['container', 'rows'], { required: true }),
    reason: text({ maxLength: 64, required: true }),
    rows: integer({ required: true, min: 0, default: 0 }),
  },
  { indexes: [['at']] },
);

export const refusalTables = [refusals] as const;

/** The migration that logs the requests for a restricted table's rows (bulletin requests). */
export const accessRequestsMigrationName = '20261208-21-access-requests';

/**
 * Every request a site made for rows of a restricted table (a court asking the criminal register
 * for a bulletin): who asked, why, and what for, declared in a control message before the import
 * request it allows. The server answers a restricted import only against one unused declaration of
 * the same site and table, and records here the import that used it and how many rows went.
 */
export const accessRequests = defineSystemTable(
  'xm_system',
  'access_requests',
  {
    id: identity(),
    at: timestamp({ required: true, default: 'now' }),
    client_id: integer({ required: true }),
    matricule: text({ maxLength: 32, required: true }),
    /** The control container that declared it. */
    container_id: uuid({ required: true, unique: true }),
    table_name: text({ maxLength: 63, required: true }),
    /** The site user who asked (a login at the site). */
    requested_by: text({ maxLength: 100, required: true }),
    purpose: text({ maxLength: 500, required: true }),
    /** What else the site declared (the bulletin asked for, the identity searched). */
    detail: json(),
    /** The import request it allowed, once answered, and the rows that went. */
    import_container_id: uuid(),
    rows: integer({ min: 0 }),
  },
  { indexes: [['client_id', 'at'], ['at']] },
);

export const accessRequestTables = [accessRequests] as const;
