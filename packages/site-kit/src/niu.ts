// NIU: Numéro d'Identification Unique, assigned when the officer validates an act.
//
// Format: CCCCCC-YYYY-SSSSSSS-KK (22 characters)
//   CCCCCC   the centre's code, 6 digits, assigned nationally (unique per centre)
//   YYYY     the year of validation
//   SSSSSSS  the centre's own sequence for that year, shared by births, marriages and deaths
//   KK       ISO 7064 MOD 97-10 check digits over the 17 digits before them
//
// Uniqueness across the country needs no server: two centres differ by their code, two years
// by the year, and within a centre and year the sequence is a database counter. MOD 97-10 catches
// every single mistyped digit (97 is prime and does not divide d·10^k for |d| <= 9) and every
// transposition of two adjacent digits.

export const niuPattern = /^(\d{6})-(\d{4})-(\d{7})-(\d{2})$/;

export const maxNiuSequence = 9_999_999;

/** ISO 7064 MOD 97-10 check digits for a string of decimal digits. */
export function mod97CheckDigits(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError('MOD 97-10 needs decimal digits');
  let remainder = 0;
  for (const digit of `${digits}00`) remainder = (remainder * 10 + Number(digit)) % 97;
  return String(98 - remainder).padStart(2, '0');
}

/** True when the digits, check digits included at the end, satisfy MOD 97-10 (remainder 1). */
export function mod97Valid(digitsWithCheck: string): boolean {
  if (!/^\d{3,}$/.test(digitsWithCheck)) return false;
  let remainder = 0;
  for (const digit of digitsWithCheck) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}

export interface NiuParts {
  readonly centreCode: string;
  readonly year: number;
  readonly sequence: number;
}

export function formatNiu(parts: NiuParts): string {
  if (!/^\d{6}$/.test(parts.centreCode)) throw new RangeError('the centre code has 6 digits');
  if (!Number.isInteger(parts.year) || parts.year < 1000 || parts.year > 9999) {
    throw new RangeError('the year has 4 digits');
  }
  if (!Number.isInteger(parts.sequence) || parts.sequence < 1 || parts.sequence > maxNiuSequence) {
    throw new RangeError(`the sequence is between 1 and ${maxNiuSequence}`);
  }
  const year = String(parts.year);
  const sequence = String(parts.sequence).padStart(7, '0');
  const check = mod97CheckDigits(`${parts.centreCode}${year}${sequence}`);
  return `${parts.centreCode}-${year}-${sequence}-${check}`;
}

export type NiuCheck =
  | { readonly ok: true; readonly value: NiuParts }
  | { readonly ok: false; readonly error: 'format' | 'check-digits' };

/** Checks a typed NIU; never throws. */
export function parseNiu(text: unknown): NiuCheck {
  if (typeof text !== 'string') return { ok: false, error: 'format' };
  const match = niuPattern.exec(text.trim());
  if (!match) return { ok: false, error: 'format' };
  const [, centreCode, year, sequence, check] = match as unknown as [string, string, string, string, string];
  if (!mod97Valid(`${centreCode}${year}${sequence}${check}`)) return { ok: false, error: 'check-digits' };
  return { ok: true, value: { centreCode, year: Number(year), sequence: Number(sequence) } };
}
