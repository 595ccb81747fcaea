import type { SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';

/** The site's own tables the kit reads and writes, typed (history, signatures, users, ...). */
export type KitDb = Kysely<SiteDatabase>;

// Records live in tables chosen at run time from the declarations: Kysely's row types cannot
// follow them, so those queries go through an untyped handle on the same connection.
// biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time from the contract
export type RecordsDb = Kysely<any>;

export type MutableRow = Record<string, unknown>;
