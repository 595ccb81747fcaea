import { type FieldError, parseNiu, type Row } from '@xmcomm/site-kit';

// The rules of a criminal-record entry that cross fields, on top of the contract's per-field checks:
// dates in order, the person's age against "minor at the time", the penalty's parts consistent.

export const ruleCodes = ['in-the-future', 'before-event', 'inconsistent', 'required', 'niu'] as const;
export type RuleCode = (typeof ruleCodes)[number];

const messages: Record<
  RuleCode,
  { en: (f: string, o: string) => string; fr: (f: string, o: string) => string }
> = {
  'in-the-future': { en: (f) => `${f} is in the future.`, fr: (f) => `${f} est dans le futur.` },
  'before-event': {
    en: (f, o) => `${f} is before ${o}.`,
    fr: (f, o) => `${f} est antérieure à ${o}.`,
  },
  inconsistent: {
    en: (f, o) => `${f} is inconsistent with ${o}.`,
    fr: (f, o) => `${f} est incohérent avec ${o}.`,
  },
  required: {
    en: (f, o) => `${f} is required when ${o} is given.`,
    fr: (f, o) => `${f} est obligatoire quand ${o} est renseigné.`,
  },
  niu: {
    en: (f) => `${f} is not an NIU (123456-2026-0000001-xx).`,
    fr: (f) => `${f} n'est pas un NIU (123456-2026-0000001-xx).`,
  },
};

function problem(field: string, code: RuleCode, other = ''): FieldError {
  return {
    field,
    code,
    message: messages[code].en(field, other),
    messageFr: messages[code].fr(field, other),
  };
}

/** Full years from `from` to `to`, both `YYYY-MM-DD`: the age on `to` of someone born on `from`. */
export function fullYears(from: string, to: string): number {
  const years = Number(to.slice(0, 4)) - Number(from.slice(0, 4));
  return to.slice(5) < from.slice(5) ? years - 1 : years;
}

const dateOf = (row: Row, field: string) =>
  typeof row[field] === 'string' ? (row[field] as string) : undefined;
const numberOf = (row: Row, field: string) =>
  typeof row[field] === 'number' ? (row[field] as number) : undefined;

/** The age of majority for criminal law, in full years at the time of the offence. */
export const majorityYears = 18;

/** Checks an entry; a field the contract refused (left out) skips the rules that read it. */
export function checkEntryRules(row: Row, today: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of ['person_date_of_birth', 'offence_date', 'decision_date']) {
    const value = dateOf(row, field);
    if (value !== undefined && value > today) errors.push(problem(field, 'in-the-future'));
  }
  const born = dateOf(row, 'person_date_of_birth');
  const offence = dateOf(row, 'offence_date');
  const decision = dateOf(row, 'decision_date');
  if (offence && decision && decision < offence)
    errors.push(problem('decision_date', 'before-event', 'offence_date'));
  if (born && offence && offence < born)
    errors.push(problem('offence_date', 'before-event', 'person_date_of_birth'));
  const facts = offence ?? decision;
  if (born && facts && facts >= born && typeof row.minor_at_the_time === 'boolean') {
    if (row.minor_at_the_time !== fullYears(born, facts) < majorityYears) {
      errors.push(problem('minor_at_the_time', 'inconsistent', offence ? 'offence_date' : 'decision_date'));
    }
  }
  const prison = numberOf(row, 'prison_months');
  if (row.main_penalty === 'imprisonment' && !prison)
    errors.push(problem('prison_months', 'required', 'main_penalty'));
  const suspended = numberOf(row, 'suspended_months');
  if (row.suspension === 'partial' && (!suspended || (prison !== undefined && suspended >= prison))) {
    errors.push(problem('suspended_months', 'inconsistent', 'prison_months'));
  }
  if (row.suspension !== undefined && row.suspension !== 'none' && !numberOf(row, 'probation_months')) {
    errors.push(problem('probation_months', 'required', 'suspension'));
  }
  const bansUntil = dateOf(row, 'bans_until');
  if (bansUntil && !row.bans) errors.push(problem('bans', 'required', 'bans_until'));
  if (bansUntil && decision && bansUntil < decision)
    errors.push(problem('bans_until', 'before-event', 'decision_date'));
  return errors;
}

/** Checks an annotation: it names an entry by a well-formed NIU and is not dated in the future. */
export function checkAnnotationRules(row: Row, today: string): FieldError[] {
  const errors: FieldError[] = [];
  const effective = dateOf(row, 'effective_date');
  if (effective !== undefined && effective > today) errors.push(problem('effective_date', 'in-the-future'));
  if (typeof row.entry_niu === 'string' && !parseNiu(row.entry_niu).ok)
    errors.push(problem('entry_niu', 'niu'));
  return errors;
}
