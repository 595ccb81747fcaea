// What a form definition file holds, as TypeScript types: the result of `parseFormDefinition`, checked.

/** The format tag every definition file starts with; a v2 would live beside it. */
export const formFormat = 'xmcomm-form/1';

export interface Bilingual {
  readonly en: string;
  readonly fr: string;
}

export const fieldTypes = ['text', 'integer', 'date', 'boolean', 'enum'] as const;
export type FieldType = (typeof fieldTypes)[number];

export interface EnumValue {
  readonly value: string;
  readonly label: Bilingual;
}

export interface FieldDefinition {
  /** The column: a lower-case SQL identifier. */
  readonly name: string;
  readonly type: FieldType;
  readonly label: Bilingual;
  readonly help?: Bilingual;
  readonly required: boolean;
  /** text: the most characters (required for text). */
  readonly maxLength?: number;
  /** integer: bounds. */
  readonly min?: number;
  readonly max?: number;
  /** enum: the allowed codes and their words. */
  readonly values?: readonly EnumValue[];
}

export const comparisonOperators = ['<', '<=', '=', '>=', '>', '!='] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

/**
 * The rules a definition may state, each data: `not-in-future` (a date), `compare` (`a <= b`, two
 * dates or two integers), `sum` (`a = b + c + d`, integers). A polling-station minute's checks
 * (voters = valid + blank + null, voters <= registered) are these same kinds.
 */
export type RuleDefinition =
  | { readonly kind: 'not-in-future'; readonly field: string; readonly message?: Bilingual }
  | {
      readonly kind: 'compare';
      readonly field: string;
      readonly operator: ComparisonOperator;
      readonly other: string;
      readonly message?: Bilingual;
    }
  | {
      readonly kind: 'sum';
      readonly field: string;
      readonly of: readonly string[];
      readonly message?: Bilingual;
    };

export const ruleKinds = ['not-in-future', 'compare', 'sum'] as const;

export interface PrintDefinition {
  /** The document's heading. */
  readonly title: Bilingual;
  /** The fields printed, in order, each with its label in both languages. */
  readonly fields: readonly string[];
  /** The fields signed into the QR seal (what a verifier compares with the paper); default `fields`. */
  readonly sealFields?: readonly string[];
  readonly watermark?: string;
}

export interface FormDefinition {
  readonly format: typeof formFormat;
  /** The record type's id in URLs and history: `diploma`. */
  readonly name: string;
  /** The exchanged table, `xm_data.<table>`, on sites and at the server. */
  readonly table: string;
  /** Increases with every change installed; a site and the server compare it with the fingerprint. */
  readonly version: number;
  /** One capital letter: record 12 is `D12`. */
  readonly refLetter: string;
  readonly label: Bilingual;
  readonly fields: readonly FieldDefinition[];
  readonly rules: readonly RuleDefinition[];
  /** The fields that make a record's title in lists, joined by spaces. */
  readonly title: readonly string[];
  readonly search: { readonly names: readonly string[]; readonly places: readonly string[] };
  /** The date lists sort by. */
  readonly eventDate: string;
  /** Who signs (validates): 3 the head of the centre (default) or 2 a secretary. */
  readonly signer: { readonly privilege: 2 | 3; readonly title?: Bilingual };
  readonly print: PrintDefinition;
}
