// The codes of a field's validation error and their messages, in English and French.

export const fieldErrorCodes = [
  'required',
  'type',
  'too-long',
  'not-allowed',
  'invalid-date',
  'invalid-time',
  'invalid-format',
  'out-of-range',
  'unknown-field',
] as const;

export type FieldErrorCode = (typeof fieldErrorCodes)[number];

export type Language = 'en' | 'fr';

type Params = { field: string; maxLength?: number; min?: number; max?: number; values?: readonly string[] };

const templates: Record<FieldErrorCode, Record<Language, (p: Params) => string>> = {
  required: {
    en: (p) => `${p.field} is required.`,
    fr: (p) => `${p.field} est obligatoire.`,
  },
  type: {
    en: (p) => `${p.field} has the wrong type of value.`,
    fr: (p) => `${p.field} n'a pas le bon type de valeur.`,
  },
  'too-long': {
    en: (p) => `${p.field} is longer than ${p.maxLength} characters.`,
    fr: (p) => `${p.field} dépasse ${p.maxLength} caractères.`,
  },
  'not-allowed': {
    en: (p) => `${p.field} must be one of: ${p.values?.join(', ')}.`,
    fr: (p) => `${p.field} doit être l'une des valeurs : ${p.values?.join(', ')}.`,
  },
  'invalid-date': {
    en: (p) => `${p.field} is not a date that exists (expected YYYY-MM-DD).`,
    fr: (p) => `${p.field} n'est pas une date qui existe (format attendu AAAA-MM-JJ).`,
  },
  'invalid-time': {
    en: (p) => `${p.field} is not a valid time of day (expected HH:MM or HH:MM:SS).`,
    fr: (p) => `${p.field} n'est pas une heure valide (format attendu HH:MM ou HH:MM:SS).`,
  },
  'invalid-format': {
    en: (p) => `${p.field} does not have the expected format.`,
    fr: (p) => `${p.field} n'a pas le format attendu.`,
  },
  'out-of-range': {
    en: (p) => `${p.field} must be between ${p.min ?? '-∞'} and ${p.max ?? '+∞'}.`,
    fr: (p) => `${p.field} doit être compris entre ${p.min ?? '-∞'} et ${p.max ?? '+∞'}.`,
  },
  'unknown-field': {
    en: (p) => `${p.field} is not a field of this table.`,
    fr: (p) => `${p.field} n'est pas un champ de cette table.`,
  },
};

export function fieldErrorMessage(code: FieldErrorCode, params: Params, language: Language): string {
  return templates[code][language](params);
}
