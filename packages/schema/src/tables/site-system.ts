import {
  bytes,
  defineSystemTable,
  identity,
  integer,
  json,
  oneOf,
  text,
  timestamp,
  uuid,
} from '@xmcomm/contract';
import { userColumns } from './user-columns.js';

// A site's own data, in its local database, never exchanged.

/** Officer (3), secretaries (2), agents (1); privilege 0 suspends the user. */
export const siteUsers = defineSystemTable('xm_site', 'users', userColumns);

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
