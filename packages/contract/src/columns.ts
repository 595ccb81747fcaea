export const columnTypes = [
  'text',
  'enum',
  'integer',
  'smallint',
  'bigint',
  'numeric',
  'boolean',
  'date',
  'time',
  'timestamp',
  'uuid',
  'bytes',
  'json',
] as const;

export type ColumnTypeName = (typeof columnTypes)[number];

/** What the database and every validator know about one column. Plain data: it is hashed into the fingerprint. */
export interface ColumnSpec {
  readonly type: ColumnTypeName;
  /** NOT NULL, and required on input unless the database supplies a default. */
  readonly required: boolean;
  readonly maxLength?: number;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly unique?: boolean;
  /** The database fills it: an identity, `now()`, or a literal default. */
  readonly default?: 'identity' | 'now' | 'random-uuid' | string | number | boolean;
  readonly primaryKey?: boolean;
  readonly references?: {
    readonly table: string;
    readonly column: string;
    readonly onDelete?: 'cascade' | 'restrict';
  };
  /** The migration that added this column after its table was created (see README: evolving a table). */
  readonly since?: string;
  /** A regular expression (unicode, anchored by the validator) that a text value must match. */
  readonly pattern?: string;
  readonly label?: { readonly en: string; readonly fr: string };
}

/**
 * A column's spec, with its TypeScript value type and nullability carried in phantom parameters
 * so that row types (and @xmcomm/schema's Kysely types) are derived from the same object the migrations read.
 */
export interface Column<TValue, TRequired extends boolean, TGenerated extends boolean> {
  readonly spec: ColumnSpec;
  /** Type-level only. */
  readonly __value?: TValue;
  readonly __required?: TRequired;
  readonly __generated?: TGenerated;
}

// biome-ignore lint/suspicious/noExplicitAny: matches any column in conditional types
export type AnyColumn = Column<any, boolean, boolean>;

interface CommonOptions {
  readonly required?: boolean;
  readonly unique?: boolean;
  readonly primaryKey?: boolean;
  readonly since?: string;
  readonly label?: { readonly en: string; readonly fr: string };
}

type Req<O> = O extends { required: true } ? true : false;
type Gen<O> = O extends { default: unknown } ? true : false;

function column<V, O extends CommonOptions>(
  type: ColumnTypeName,
  options: O,
  extra: Partial<ColumnSpec> = {},
) {
  const spec: ColumnSpec = {
    type,
    required: options.required === true,
    ...stripUndefined({ ...options }),
    ...extra,
  };
  return { spec } as Column<V, Req<O>, Gen<O>>;
}

function stripUndefined(options: object): Partial<ColumnSpec> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options))
    if (value !== undefined && key !== 'required') out[key] = value;
  return out as Partial<ColumnSpec>;
}

export interface TextOptions extends CommonOptions {
  readonly maxLength: number;
  readonly pattern?: string;
  readonly default?: string;
}
export const text = <const O extends TextOptions>(options: O) => column<string, O>('text', options);

export interface EnumOptions extends CommonOptions {
  readonly default?: string;
}
export const oneOf = <
  const V extends readonly [string, ...string[]],
  const O extends EnumOptions = EnumOptions,
>(
  values: V,
  options: O = {} as O,
) => column<V[number], O>('enum', options, { values });

export interface NumberOptions extends CommonOptions {
  readonly min?: number;
  readonly max?: number;
  readonly default?: number;
}
export const integer = <const O extends NumberOptions>(options: O = {} as O) =>
  column<number, O>('integer', options);
export const smallint = <const O extends NumberOptions>(options: O = {} as O) =>
  column<number, O>('smallint', options);
/** 64-bit integer, read back as a JS number: values beyond 2^53 are refused by validation. */
export const bigint = <const O extends NumberOptions>(options: O = {} as O) =>
  column<number, O>('bigint', options);
/** Exact decimal, carried as a string (money, measures) so no precision is lost. */
export const numeric = <const O extends CommonOptions & { min?: number; max?: number }>(
  options: O = {} as O,
) => column<string, O>('numeric', options);

export const boolean = <const O extends CommonOptions & { default?: boolean }>(options: O = {} as O) =>
  column<boolean, O>('boolean', options);
/** A calendar date, carried as `YYYY-MM-DD`. */
export const date = <const O extends CommonOptions>(options: O = {} as O) =>
  column<string, O>('date', options);
/** A time of day, carried as `HH:MM:SS`. */
export const time = <const O extends CommonOptions>(options: O = {} as O) =>
  column<string, O>('time', options);
export const timestamp = <const O extends CommonOptions & { default?: 'now' }>(options: O = {} as O) =>
  column<Date, O>('timestamp', options);
export const uuid = <const O extends CommonOptions & { default?: 'random-uuid' }>(options: O = {} as O) =>
  column<string, O>('uuid', options);
export const bytes = <const O extends CommonOptions & { maxLength?: number }>(options: O = {} as O) =>
  column<Uint8Array, O>('bytes', options);
export const json = <const O extends CommonOptions>(options: O = {} as O) =>
  column<unknown, O>('json', options);

/** An identity primary key: the local `numero` of every table. */
export const identity = () =>
  ({ spec: { type: 'integer', required: true, default: 'identity', primaryKey: true } }) as Column<
    number,
    true,
    true
  >;

/** Adds a foreign key to a column. */
export function references<C extends AnyColumn>(
  col: C,
  target: { table: string; column: string; onDelete?: 'cascade' | 'restrict' },
): C {
  return { ...col, spec: { ...col.spec, references: target } };
}

/** The plain value type of one column, as read or validated. */
export type ValueOf<C> =
  C extends Column<infer V, infer R, boolean> ? (R extends true ? V : V | null) : never;
