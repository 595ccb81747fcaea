import { describe, expect, test } from 'vitest';
import { chooseLanguage, format } from './i18n.js';

describe('chooseLanguage', () => {
  test('the switch cookie wins over the browser', () => {
    expect(chooseLanguage({ cookie: 'en', acceptLanguage: 'fr-FR,fr;q=0.9' })).toBe('en');
  });
  test('the first French or English range by quality', () => {
    expect(chooseLanguage({ acceptLanguage: 'fr-CM,fr;q=0.9,en;q=0.8' })).toBe('fr');
    expect(chooseLanguage({ acceptLanguage: 'de-DE, en;q=0.5, fr;q=0.4' })).toBe('en');
    expect(chooseLanguage({ acceptLanguage: 'en;q=0.2, fr;q=0.9' })).toBe('fr');
    expect(chooseLanguage({ acceptLanguage: 'fr;q=0, en' })).toBe('en');
  });
  test('falls back when nothing matches, whatever the header holds', () => {
    expect(chooseLanguage({ acceptLanguage: 'de, es' })).toBe('fr');
    expect(chooseLanguage({ acceptLanguage: 'de', fallback: 'en' })).toBe('en');
    expect(chooseLanguage({ cookie: 'xx', acceptLanguage: ';;;,q=abc,\u0000' })).toBe('fr');
    expect(chooseLanguage({ acceptLanguage: 'x,'.repeat(10_000) })).toBe('fr');
  });
  test('format fills named parameters', () => {
    expect(format('At most {max}, {unknown}', { max: 3 })).toBe('At most 3, {unknown}');
  });
});
