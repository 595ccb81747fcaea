import type { AnyTable, Column, SchemaName, TableDefinition } from '@xmcomm/contract';
import type { Generated, ColumnType as KyselyColumnType } from 'kysely';

// The Kysely types of the contract's definitions: derived from the same objects the migrations
// read, here rather than in @xmcomm/contract, which knows no database.

/** The Kysely column type of one column. Timestamps accept ISO strings on write; generated columns may be omitted on insert. */
export type KyselyColumnOf<C> =
  C extends Column<infer V, infer R, infer G>
    ? V extends Date
      ? KyselyColumnType<
          R extends true ? Date : Date | null,
          G extends true
            ? Date | string | undefined
            : R extends true
              ? Date | string
              : Date | string | null | undefined,
          R extends true ? Date | string : Date | string | null
        >
      : G extends true
        ? Generated<R extends true ? V : V | null>
        : R extends true
          ? V
          : V | null
    : never;

/** The Kysely table interface of a definition. */
export type KyselyTableOf<T> =
  T extends TableDefinition<string, SchemaName, infer C> ? { [K in keyof C]: KyselyColumnOf<C[K]> } : never;

/** The Kysely `Database` type for a list of definitions: keys are schema-qualified (`xm_data.births`). */
export type DatabaseOf<T extends readonly AnyTable[]> = {
  [D in T[number] as D['qualifiedName']]: KyselyTableOf<D>;
};

export type { Generated };
