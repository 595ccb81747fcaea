import { expect, it } from 'vitest';
import { languageFlag, pickLanguage } from './language.js';

it('reads --lang before commander parses, in either form, never after --', () => {
  expect(languageFlag(['client', 'list', '--lang', 'fr'])).toBe('fr');
  expect(languageFlag(['--lang=en', 'client'])).toBe('en');
  expect(languageFlag(['--lang', 'de'])).toBeUndefined();
  expect(languageFlag(['--lang'])).toBeUndefined();
  expect(languageFlag(['run', '--', '--lang', 'fr'])).toBeUndefined();
  expect(languageFlag(['--langue', 'fr'], '--langue')).toBe('fr');
});

it('takes the flag, then the command variable, then the locale', () => {
  const env = { XM_LANG: 'en', LANG: 'fr_FR.UTF-8' };
  expect(pickLanguage({ flag: 'fr', variable: 'XM_LANG', env })).toBe('fr');
  expect(pickLanguage({ flag: undefined, variable: 'XM_LANG', env })).toBe('en');
  expect(pickLanguage({ flag: 'de', variable: 'OTHER', env })).toBe('fr');
  expect(pickLanguage({ env: { LC_ALL: 'C', LANG: 'fr_FR.UTF-8' } })).toBe('en');
  expect(pickLanguage({ env: { LC_ALL: '', LC_MESSAGES: 'fr_CA.UTF-8', LANG: 'en_US' } })).toBe('fr');
  expect(pickLanguage({ env: {} })).toBe('en');
});
