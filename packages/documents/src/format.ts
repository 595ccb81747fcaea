/**
 * Placeholders and their formatters: `{{name}}`, `{{name?}}` (may be empty) and
 * `{{name|formatter}}` / `{{name|formatter:lang}}`. Formatters are a fixed list (no code is ever
 * evaluated): `label` prints a code's word from the value labels (`F` -> "Féminin" / "Female"),
 * `date` prints an ISO date in words ("7 décembre 2026" / "7 December 2026"), `upper` in capitals.
 * Without `:fr` or `:en`, the document's language is used.
 */

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const FORMATTERS = ['label', 'date', 'upper'] as const;
export type Formatter = (typeof FORMATTERS)[number];

/** The words for a field's codes, in French and English: `{ gender: { F: { fr: 'Féminin', en: 'Female' } } }`. */
export type ValueLabels = Readonly<
  Record<string, Readonly<Record<string, Readonly<Record<Language, string>>>>>
>;

export interface Placeholder {
  readonly name: string;
  readonly optional: boolean;
  readonly formatter?: Formatter;
  /** A language forced by `:fr` / `:en`; otherwise the document's. */
  readonly language?: Language;
}

const SHAPE = /^([A-Za-z][A-Za-z0-9_]*)(\?)?(?:\s*\|\s*([A-Za-z]+)(?::([A-Za-z]+))?)?$/;

/** Parses the inside of `{{...}}`; a text saying what is wrong when it is not a placeholder. */
export function parsePlaceholder(inner: string): Placeholder | string {
  const match = SHAPE.exec(inner.trim());
  if (!match) return 'is not a placeholder: {{fieldName}} or {{fieldName|formatter}} is expected';
  const [, name, optional, formatter, language] = match;
  if (formatter === undefined) return { name: name!, optional: optional === '?' };
  if (!(FORMATTERS as readonly string[]).includes(formatter))
    return `uses the unknown formatter "${formatter}" (known: ${FORMATTERS.join(', ')})`;
  if (language !== undefined && !(LANGUAGES as readonly string[]).includes(language))
    return `asks for the language "${language}" (known: ${LANGUAGES.join(', ')})`;
  if (language !== undefined && formatter === 'upper') return 'the formatter "upper" takes no language';
  return {
    name: name!,
    optional: optional === '?',
    formatter: formatter as Formatter,
    ...(language === undefined ? {} : { language: language as Language }),
  };
}

const MONTHS: Readonly<Record<Language, readonly string[]>> = {
  fr: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};

/** `2026-12-07` -> "7 décembre 2026" / "7 December 2026" ("1er" in French); other text as it is. */
export function dateInWords(value: string, language: Language): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  const month = match ? MONTHS[language][Number(match[2]) - 1] : undefined;
  if (!match || month === undefined) return value;
  const day = Number(match[3]);
  return `${language === 'fr' && day === 1 ? '1er' : day} ${month} ${match[1]}`;
}

/** Applies a placeholder's formatter to a value (already known present). */
export function formatValue(
  placeholder: Placeholder,
  value: string,
  language: Language,
  labels: ValueLabels,
): string {
  const lang = placeholder.language ?? language;
  switch (placeholder.formatter) {
    case undefined:
      return value;
    case 'label':
      return labels[placeholder.name]?.[value]?.[lang] ?? value;
    case 'date':
      return dateInWords(value, lang);
    case 'upper':
      return value.toLocaleUpperCase('fr');
  }
}
