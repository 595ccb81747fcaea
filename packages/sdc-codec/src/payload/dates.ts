// Dates and times of a contract column as the numbers they travel as (docs/sdc-format.md §4.3).

export const DAY_MS = 86_400_000;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^(\d{2}):(\d{2}):(\d{2})$/;

/** Days since 1970-01-01 when the text is a canonical valid date, else undefined (it then travels as text). */
export function dateToDays(value: string): number | undefined {
  const match = DATE_PATTERN.exec(value);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (daysToDate(ms / DAY_MS) !== value) return undefined;
  return ms / DAY_MS;
}

/**
 * Dates already written out, by day number: a batch repeats the same few dates, and formatting one
 * costs more than looking it up. Emptied when full.
 */
const DATE_CACHE_ENTRIES = 8192;
const dateCache = new Map<number, string>();

/** The proleptic Gregorian date `days` after 1970-01-01 (YYYY-MM-DD, or 'invalid' outside years 0-9999). */
export function daysToDate(days: number): string {
  let text = dateCache.get(days);
  if (text === undefined) {
    text = civilFromDays(days);
    if (dateCache.size >= DATE_CACHE_ENTRIES) dateCache.clear();
    dateCache.set(days, text);
  }
  return text;
}

/** Computed without a Date (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return 'invalid';
  return `${year < 1000 ? String(year).padStart(4, '0') : year}-${pad(month)}-${pad(day)}`;
}

/** Seconds since midnight when the text is a valid `HH:MM:SS`, else undefined (it then travels as text). */
export function timeToSeconds(value: string): number | undefined {
  const match = TIME_PATTERN.exec(value);
  if (!match) return undefined;
  const h = Number(match[1]);
  const m = Number(match[2]);
  const s = Number(match[3]);
  if (h > 23 || m > 59 || s > 59) return undefined;
  return h * 3600 + m * 60 + s;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function secondsToTime(seconds: number): string {
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}
