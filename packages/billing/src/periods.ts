import type { billingPeriods } from '@xmcomm/schema';

export type Period = (typeof billingPeriods)[number];

/** The UTC day of an instant, `YYYY-MM-DD`, as usage is counted. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The first UTC day of the calendar period that contains `at`, `YYYY-MM-DD`. */
export function periodStart(period: Period, at: Date): string {
  const day = utcDay(at);
  if (period === 'day') return day;
  if (period === 'month') return `${day.slice(0, 7)}-01`;
  return `${day.slice(0, 4)}-01-01`;
}
