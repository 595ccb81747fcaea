import { describe, expect, test } from 'vitest';
import { formatNiu, mod97CheckDigits, mod97Valid, parseNiu } from './niu.js';

describe('NIU', () => {
  test('matches the ISO 7064 MOD 97-10 reference (IBAN check of GB82WEST12345698765432)', () => {
    // IBAN = MOD 97-10 over the rearranged digits; letters as 10..35. W=32 E=14 S=28 T=29 G=16 B=11.
    const rearranged = '3214282912345698765432161182';
    expect(mod97Valid(rearranged)).toBe(true);
    expect(mod97CheckDigits('32142829123456987654321611')).toBe('82');
  });

  test('formats the centre, year, sequence and check digits', () => {
    const niu = formatNiu({ centreCode: '102034', year: 2026, sequence: 42 });
    expect(niu).toMatch(/^102034-2026-0000042-\d{2}$/);
    expect(parseNiu(niu)).toEqual({ ok: true, value: { centreCode: '102034', year: 2026, sequence: 42 } });
  });

  test('refuses what is not an NIU, without throwing', () => {
    for (const input of ['', 'abc', '102034-2026-42-00', 42, null, '１０２０３４-2026-0000042-00']) {
      expect(parseNiu(input)).toEqual({ ok: false, error: 'format' });
    }
  });

  test('catches every single mistyped digit, check digits included (exhaustive)', () => {
    const samples = [
      { centreCode: '000001', year: 2026, sequence: 1 },
      { centreCode: '102034', year: 2026, sequence: 42 },
      { centreCode: '999999', year: 2099, sequence: 9_999_999 },
      { centreCode: '530117', year: 2031, sequence: 1_234_567 },
    ];
    let substitutions = 0;
    for (const sample of samples) {
      const niu = formatNiu(sample);
      for (let position = 0; position < niu.length; position++) {
        const original = niu[position] as string;
        if (original === '-') continue;
        for (let digit = 0; digit <= 9; digit++) {
          if (String(digit) === original) continue;
          const mistyped = `${niu.slice(0, position)}${digit}${niu.slice(position + 1)}`;
          expect(parseNiu(mistyped), mistyped).toEqual({ ok: false, error: 'check-digits' });
          substitutions++;
        }
      }
    }
    expect(substitutions).toBe(samples.length * 19 * 9);
  });

  test('catches every transposition of two adjacent different digits', () => {
    const niu = formatNiu({ centreCode: '530117', year: 2031, sequence: 1_234_567 });
    const digits = niu.replaceAll('-', '');
    for (let i = 0; i + 1 < digits.length; i++) {
      if (digits[i] === digits[i + 1]) continue;
      const swapped = `${digits.slice(0, i)}${digits[i + 1]}${digits[i]}${digits.slice(i + 2)}`;
      expect(mod97Valid(swapped), swapped).toBe(false);
    }
  });
});
