import { describe, expect, it } from 'vitest';
import { dateInWords, formatValue, parsePlaceholder } from './format.js';

describe('formatters', () => {
  it('prints dates in words, "1er" on the first in French', () => {
    expect(dateInWords('2026-12-07', 'fr')).toBe('7 décembre 2026');
    expect(dateInWords('2026-12-07', 'en')).toBe('7 December 2026');
    expect(dateInWords('2026-08-01', 'fr')).toBe('1er août 2026');
    expect(dateInWords('2026-13-01', 'fr')).toBe('2026-13-01');
    expect(dateInWords('vers 1940', 'en')).toBe('vers 1940');
  });

  it('prints a code as its word, the code itself when it has none', () => {
    const labels = { sex: { female: { fr: 'Féminin', en: 'Female' } } };
    const label = parsePlaceholder('sex|label');
    const forced = parsePlaceholder(' sex | label:en ');
    if (typeof label === 'string' || typeof forced === 'string') throw new Error(String(label));
    expect(formatValue(label, 'female', 'fr', labels)).toBe('Féminin');
    expect(formatValue(forced, 'female', 'fr', labels)).toBe('Female');
    expect(formatValue(label, 'other', 'fr', labels)).toBe('other');
  });

  it('refuses what is not a placeholder', () => {
    expect(parsePlaceholder('a + 1')).toMatch(/is not a placeholder/);
    expect(parsePlaceholder('a|eval')).toMatch(/unknown formatter "eval"/);
    expect(parsePlaceholder('a|upper:fr')).toMatch(/takes no language/);
  });
});
