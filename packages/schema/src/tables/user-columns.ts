import { boolean, identity, smallint, text, timestamp } from '@xmcomm/contract';

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
