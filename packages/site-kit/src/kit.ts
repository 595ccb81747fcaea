import type { Kysely } from 'kysely';
import { type DraftItem, type DraftManyOptions, draftRecords } from './bulk-draft.js';
import { type KitContext, parseRef, type SiteCentre, statusNames, typeNamed } from './context.js';
import { SiteKitError } from './errors.js';
import { type RecordCounts, recordCounts, type WaitingFor, waitingFor } from './overview.js';
import {
  getRecord,
  type RecordEvent,
  type RecordSearch,
  type RecordView,
  recordHistory,
  resolveRecord,
  type SearchResult,
  searchRecords,
} from './reading.js';
import { defaultRecordNoun, type RecordNoun } from './record-noun.js';
import type { FieldError, Privilege, RecordRef, RecordType, Text } from './record-type.js';
import {
  allows,
  cancelRecord,
  checkFields,
  draftRecord,
  editRecord,
  type Validation,
  validateRecord,
  verifyRecord,
} from './records.js';
import { relockSigningKeys } from './signing.js';
import { recordStatistics, type StatsOptions, type StatsRow } from './statistics.js';
import type { KitDb, MutableRow } from './tables.js';
import {
  completeUnfinished,
  discardUnfinished,
  listUnfinished,
  openUnfinished,
  saveUnfinished,
  type UnfinishedRecord,
} from './unfinished.js';
import {
  type AuthOptions,
  addUser,
  authenticate,
  type LockState,
  listUsers,
  type NewUser,
  privilegeNames,
  resetPassword,
  type SessionUser,
  setPrivilege,
  storePassword,
  suspendUser,
  type UserSummary,
  unlockUser,
} from './users.js';

export interface SiteKitOptions<DB> {
  /** The site's database, migrated with `siteKitMigrations` (any Kysely type over it). */
  readonly db: Kysely<DB>;
  readonly recordTypes: readonly RecordType[];
  /** The site's identity, or how to read it (ECR keeps it in its settings table). */
  readonly centre: SiteCentre | (() => Promise<SiteCentre>);
  /** What the record types' rules are given (ECR: its civil rules); undefined by default. */
  readonly settings?: () => Promise<unknown>;
  /** `YYYY-MM-DD` in the site's time zone; the machine's local date by default. */
  readonly today?: () => string;
  /**
   * What the site calls its roles, where the kit's generic names would read wrong to its users
   * (ECR: `3` is the "officier d'état civil", not the "chef de site"); the rest keep `privilegeNames`.
   */
  readonly roleNames?: Partial<Readonly<Record<Privilege, Text>>>;
  /**
   * What the site's users call its records in general (lists, home page): ECR's clerks say "acte".
   * By default the noun every record type declares, when they all declare the same, else the kit's.
   */
  readonly recordNoun?: RecordNoun;
}

/** Today, `YYYY-MM-DD`, on this machine's clock and time zone: the kit's default `today`. */
export const localToday = () => {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
};

/** The whole workflow for a site app's record types. Every method checks the acting user's privilege. */
export function createSiteKit<DB>(options: SiteKitOptions<DB>) {
  const names = new Set<string>();
  const letters = new Set<string>();
  for (const type of options.recordTypes) {
    if (names.has(type.name) || letters.has(type.refLetter)) {
      throw new Error(`Record type ${type.name}: its name or reference letter is taken by another type.`);
    }
    names.add(type.name);
    letters.add(type.refLetter);
  }
  const centre = options.centre;
  const declared = new Set(options.recordTypes.map((type) => type.noun));
  const [onlyNoun] = declared;
  const recordNoun = options.recordNoun ?? (declared.size === 1 && onlyNoun ? onlyNoun : defaultRecordNoun);
  const db = options.db as unknown as KitDb;
  const ctx: KitContext = {
    db,
    types: options.recordTypes,
    centre: typeof centre === 'function' ? centre : async () => centre,
    settings: options.settings ?? (async () => undefined),
    today: options.today ?? localToday,
  };
  return {
    recordTypes: options.recordTypes,
    /** The roles by privilege in this site's words (`roleNames` over the kit's `privilegeNames`). */
    roleNames: { ...privilegeNames, ...options.roleNames } as Readonly<Record<Privilege, Text>>,
    recordType: (name: string): RecordType => typeNamed(ctx, name),
    /** What the site's users call a record: in general, or one of a given type. */
    recordNoun: (typeName?: string): RecordNoun =>
      (typeName === undefined ? undefined : typeNamed(ctx, typeName).noun) ?? recordNoun,
    statusNames,
    /** Whether `user` may do `action` on records of type `typeName` (which buttons a page shows). */
    allows: (user: SessionUser, typeName: string, action: Parameters<typeof allows>[2]) =>
      allows(user, typeNamed(ctx, typeName), action),
    records: {
      /** Checks a form without saving it: every field problem, or the row as it would be stored. */
      async check(typeName: string, input: unknown): Promise<FieldError[] | MutableRow> {
        return checkFields(typeNamed(ctx, typeName), input, ctx.today(), await ctx.settings());
      },
      draft: (user: SessionUser, typeName: string, input: unknown): Promise<RecordRef> =>
        draftRecord(ctx, user, typeName, input),
      /** A batch drafted all or none, each item checked as `draft` checks one (a register typed in). */
      draftMany: (user: SessionUser, items: readonly DraftItem[], options?: DraftManyOptions) =>
        draftRecords(ctx, user, items, options),
      edit: (user: SessionUser, ref: RecordRef, changes: Readonly<Record<string, unknown>>) =>
        editRecord(ctx, user, ref, changes),
      verify: (user: SessionUser, ref: RecordRef) => verifyRecord(ctx, user, ref),
      validate: (user: SessionUser, password: string, ref: RecordRef): Promise<Validation> =>
        validateRecord(ctx, user, password, ref),
      cancel: (user: SessionUser, ref: RecordRef, reason?: string) => cancelRecord(ctx, user, ref, reason),
      get: (user: SessionUser, ref: RecordRef): Promise<RecordView> => getRecord(ctx, user, ref),
      /** `B12`, `12` with a type, or an NIU. */
      resolve: (text: string, typeName?: string): Promise<RecordRef> => resolveRecord(ctx, text, typeName),
      /** `B12`, or `12` with a type, without looking in the database; undefined if it is no reference. */
      parseRef: (text: string, typeName?: string): RecordRef | undefined => parseRef(ctx, text, typeName),
      search: (user: SessionUser, search: RecordSearch): Promise<SearchResult> =>
        searchRecords(ctx, user, search),
      history: (user: SessionUser, ref: RecordRef): Promise<RecordEvent[]> => recordHistory(ctx, user, ref),
      counts: (user: SessionUser): Promise<RecordCounts> => recordCounts(ctx, user),
      waitingFor: (user: SessionUser, options?: { limit?: number }): Promise<WaitingFor> =>
        waitingFor(ctx, user, options),
    },
    /** Forms kept before they are complete: only their author sees them. */
    unfinished: {
      save: (user: SessionUser, typeName: string, fields: unknown, id?: number): Promise<UnfinishedRecord> =>
        saveUnfinished(ctx, user, typeName, fields, id),
      list: (user: SessionUser): Promise<UnfinishedRecord[]> => listUnfinished(ctx, user),
      open: (user: SessionUser, id: number): Promise<UnfinishedRecord> => openUnfinished(ctx, user, id),
      complete: (user: SessionUser, id: number, changes?: Readonly<Record<string, unknown>>) =>
        completeUnfinished(ctx, user, id, changes),
      discard: (user: SessionUser, id: number): Promise<void> => discardUnfinished(ctx, user, id),
    },
    users: {
      authenticate: (login: string, password: string, auth?: AuthOptions) =>
        authenticate(db, login, password, auth),
      list: (actor: SessionUser): Promise<UserSummary[]> => listUsers(db, actor),
      add: (actor: SessionUser, user: NewUser): Promise<UserSummary> => addUser(db, actor, user),
      setPrivilege: (actor: SessionUser, login: string, privilege: Privilege) =>
        setPrivilege(db, actor, login, privilege),
      suspend: (actor: SessionUser, login: string) => suspendUser(db, actor, login),
      resetPassword: (actor: SessionUser, login: string, newPassword: string) =>
        resetPassword(db, actor, login, newPassword),
      unlock: (actor: SessionUser, login: string, auth?: Pick<AuthOptions, 'now'>): Promise<LockState> =>
        unlockUser(db, actor, login, auth),
      /** The old password is checked again (a session may be old); the signing key follows the password. */
      async changeOwnPassword(user: SessionUser, oldPassword: string, newPassword: string): Promise<void> {
        await authenticate(db, user.login, oldPassword);
        await db.transaction().execute(async (trx) => {
          await relockSigningKeys(trx, user, oldPassword, newPassword);
          await storePassword(trx, user.id, newPassword);
        });
      },
    },
    statistics: (user: SessionUser, stats?: StatsOptions): Promise<StatsRow[]> =>
      recordStatistics(ctx, user, stats),
  };
}

export type SiteKit = ReturnType<typeof createSiteKit>;

export { SiteKitError };
