import { boolean, identity, integer, smallint, text, timestamp } from '@xmcomm/contract';

/** The columns of a user account, the same for the server's operators and a site's staff. */
export const userColumns = {
  id: identity(),
  login: text({ maxLength: 64, required: true, unique: true }),
  display_name: text({ maxLength: 150 }),
  /** 0 suspends the user; 3 is the officer at a site, a supervisor on the server. */
  privilege: smallint({ required: true, min: 0, max: 3 }),
  /** scrypt, in the PHC string format. */
  password_hash: text({ maxLength: 255, required: true }),
  must_change_password: boolean({ required: true, default: false }),
  created_at: timestamp({ required: true, default: 'now' }),
  updated_at: timestamp({ required: true, default: 'now' }),
};

/**
 * The state of the lockout that repeated wrong passwords trigger (@xmcomm/pki's `lockAfterFailure`),
 * added to a users table by the migration `since`.
 */
export function lockoutColumns<const S extends string>(since: S) {
  return {
    /** Wrong passwords in a row since the last success or the last lock. */
    failed_logins: integer({ required: true, min: 0, default: 0, since }),
    /** Locks in a row (each one longer) since the last successful login or an administrator's unlock. */
    lockouts: integer({ required: true, min: 0, default: 0, since }),
    /** No login is accepted before this time. */
    locked_until: timestamp({ since }),
  };
}
