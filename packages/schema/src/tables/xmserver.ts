import { identity, json, text, timestamp } from '../columns.js';
import { defineSystemTable } from '../define-table.js';

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
    /** The acting operator (`XM_USER`), or `system:<os user>` when none was named. */
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
