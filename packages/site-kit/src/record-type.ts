import type { AnyTable, FieldErrorCode } from '@xmcomm/schema';
import type { RecordNoun } from './record-noun.js';

/** A text in both of the product's languages. */
export interface Text {
  readonly en: string;
  readonly fr: string;
}

export type Language = 'en' | 'fr';

/** One problem with one field, in both languages: from the contract (`required`, ...) or from a rule. */
export interface FieldError {
  readonly field: string;
  readonly code: FieldErrorCode | (string & {});
  readonly message: string;
  readonly messageFr: string;
}

/** What a record type's rules are given besides the row. */
export interface RuleContext {
  /** `YYYY-MM-DD` in the site's time zone. */
  readonly today: string;
  /** Whatever the site app's `settings()` returned (ECR: its civil rules). */
  readonly settings: unknown;
}

export type Row = Readonly<Record<string, unknown>>;

/** The actions a privilege is checked for. */
export const recordActions = ['read', 'draft', 'edit', 'verify', 'validate', 'cancel', 'print'] as const;
export type RecordAction = (typeof recordActions)[number];

export type Privilege = 0 | 1 | 2 | 3;

/** Labels of one form field, and of each value when it is an enumeration. */
export interface FieldLabels {
  readonly label: Text;
  readonly values?: Readonly<Record<string, Text>>;
  readonly help?: Text;
}

/** A record type as a site app declares it: data about a contract table, and its domain rules. */
export interface RecordTypeDeclaration {
  /** Stable id, in URLs, the CLI and history: `birth`. Lower-case letters, digits, dashes. */
  readonly name: string;
  /** The exchanged table its records are stored in (`xm_data.<table.name>`). */
  readonly table: AnyTable;
  /** One capital letter: record 12 of this type is `B12`. Unique among a site's types. */
  readonly refLetter: string;
  readonly label: Text;
  /** What its users call one of its records, where it differs from the site's `recordNoun`. */
  readonly noun?: RecordNoun;
  readonly fields?: Readonly<Record<string, FieldLabels>>;
  /** The form's order; by default the contract's, without the workflow and lifecycle columns. */
  readonly formFields?: readonly string[];
  /** The record's title in lists and on its page. */
  readonly title: (row: Row) => string;
  /** `names`: what a name search matches (prefix, any case); `places`: what a place search matches. */
  readonly search: { readonly names: readonly string[]; readonly places?: readonly string[] };
  /** The date column lists sort by and date searches filter on. */
  readonly eventDate: string;
  /** A statistics dimension, when the record concerns one person with a sex. */
  readonly sex?: string | null;
  readonly rules?: (row: Row, context: RuleContext) => readonly FieldError[];
  /** The least privilege for each action; defaults: read 1, draft 1, edit 1, verify 2, validate 3, cancel 2, print 2 (a copy or extract of a validated record). */
  readonly privileges?: Partial<Readonly<Record<RecordAction, Exclude<Privilege, 0>>>>;
}

/** A checked declaration, with its defaults filled in. */
export interface RecordType extends RecordTypeDeclaration {
  readonly formFields: readonly string[];
  readonly places: readonly string[];
  readonly privileges: Readonly<Record<RecordAction, Exclude<Privilege, 0>>>;
}

/** Columns the workflow fills, never a record's author; a record type's table must have them. */
export const workflowColumnNames = [
  'niu',
  'drafted_by',
  'drafted_at',
  'verified_by',
  'verified_at',
  'validated_by',
  'validated_at',
] as const;

const lifecycleNames = ['numero', 'status', 'origin_matricule', 'origin_numero'];

export const defaultPrivileges: Readonly<Record<RecordAction, Exclude<Privilege, 0>>> = {
  read: 1,
  draft: 1,
  edit: 1,
  verify: 2,
  validate: 3,
  cancel: 2,
  print: 2,
};

/**
 * Checks a declaration against its table (every column it names exists, the workflow columns are
 * there) and fills its defaults. Throws a plain Error: a bad declaration is a programming mistake.
 */
export function defineRecordType(declaration: RecordTypeDeclaration): RecordType {
  const { table, name } = declaration;
  const columns = table.columns as Readonly<Record<string, unknown>>;
  const fail = (what: string) => {
    throw new Error(`Record type ${name}: ${what}`);
  };
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) fail('its name is 1-32 lower-case letters, digits or dashes.');
  if (table.kind !== 'exchanged') fail(`${table.qualifiedName} is not an exchanged table.`);
  if (!/^[A-Z]$/.test(declaration.refLetter)) fail('its reference letter is one capital letter.');
  for (const column of workflowColumnNames) {
    if (!(column in columns)) fail(`${table.qualifiedName} has no ${column} column (see workflowColumns).`);
  }
  const named = [
    declaration.eventDate,
    ...declaration.search.names,
    ...(declaration.search.places ?? []),
    ...(declaration.sex ? [declaration.sex] : []),
    ...(declaration.formFields ?? []),
    ...Object.keys(declaration.fields ?? {}),
  ];
  for (const column of named)
    if (!(column in columns)) fail(`${table.qualifiedName} has no ${column} column.`);
  if (declaration.search.names.length === 0) fail('it names no search column.');
  const formFields =
    declaration.formFields ??
    Object.keys(columns).filter(
      (column) =>
        !lifecycleNames.includes(column) && !(workflowColumnNames as readonly string[]).includes(column),
    );
  return Object.freeze({
    ...declaration,
    formFields,
    places: declaration.search.places ?? [],
    privileges: { ...defaultPrivileges, ...declaration.privileges },
  });
}

/** A record of a given type: `{ type: 'birth', numero: 12, ref: 'B12' }`. */
export interface RecordRef {
  readonly type: string;
  readonly numero: number;
  readonly ref: string;
}

/** A text as `[english, french]`, the short way to write many of them. */
export type TextPair = readonly [en: string, fr: string];

/**
 * A record type's `fields` from `[english, french]` pairs: `{ surname: ['Surname', 'Nom'] }`, and for
 * an enumeration its values' pairs by field (`{ sex: { male: ['Male', 'Masculin'] } }`).
 */
export function fieldLabelsFrom(
  fields: Readonly<Record<string, TextPair>>,
  values: Readonly<Record<string, Readonly<Record<string, TextPair>>>> = {},
): Record<string, FieldLabels> {
  const text = ([en, fr]: TextPair): Text => ({ en, fr });
  return Object.fromEntries(
    Object.entries(fields).map(([field, label]) => {
      const named = values[field];
      const texts =
        named && Object.fromEntries(Object.entries(named).map(([value, pair]) => [value, text(pair)]));
      return [field, texts ? { label: text(label), values: texts } : { label: text(label) }];
    }),
  );
}

/** A field's label in a language, its column name when it has none. */
export function fieldLabel(type: RecordTypeDeclaration, field: string, language: Language): string {
  return type.fields?.[field]?.label[language] ?? field;
}
