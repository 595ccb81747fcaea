/** The languages of every page. */
export type Language = 'en' | 'fr';

export const languages: readonly Language[] = ['en', 'fr'];

/** A text in both languages. */
export interface Text {
  readonly en: string;
  readonly fr: string;
}

export function isLanguage(value: unknown): value is Language {
  return value === 'en' || value === 'fr';
}

/**
 * The language of a request: the cookie the language switch set, else the first of the browser's
 * Accept-Language ranges that is French or English (by q-value), else `fallback`.
 */
export function chooseLanguage(options: {
  readonly cookie?: string | undefined;
  readonly acceptLanguage?: string | undefined;
  readonly fallback?: Language;
}): Language {
  if (isLanguage(options.cookie)) return options.cookie;
  const ranges = (options.acceptLanguage ?? '')
    .slice(0, 500)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find(Boolean);
      const quality = q === undefined ? 1 : Number(q);
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', quality, index };
    })
    .filter((range) => Number.isFinite(range.quality) && range.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const range of ranges) if (isLanguage(range.base)) return range.base;
  return options.fallback ?? 'fr';
}

/** The text in `language`. */
export function pick(text: Text, language: Language): string {
  return text[language];
}

/** Replaces `{name}` in a text with params (values are plain text; escaping is the template's job). */
export function format(text: string, params: Readonly<Record<string, string | number>> = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
