import type { FieldErrorCode, Language } from '@xmcomm/schema';

// Civil registration rules that cross fields, on top of the table contract's per-field checks.
// The contract is shared by every site and the server; these belong to the centre's workflow.

export const actKinds = ['birth', 'marriage', 'death'] as const;
export type ActKind = (typeof actKinds)[number];
export const tableOfKind = { birth: 'births', marriage: 'marriages', death: 'deaths' } as const;
export type ActTableName = (typeof tableOfKind)[ActKind];
export function kindOfTable(table: ActTableName): ActKind {
  return table === 'births' ? 'birth' : table === 'marriages' ? 'marriage' : 'death';
}

export const ruleCodes = ['in-the-future', 'before-event', 'too-young', 'inconsistent'] as const;
export type RuleCode = (typeof ruleCodes)[number];

/** One problem with one field, in both languages: from the contract (`required`, ...) or from a rule. */
export interface ActFieldError {
  readonly field: string;
  readonly code: FieldErrorCode | RuleCode;
  readonly message: string;
  readonly messageFr: string;
}

/** A centre's configurable rules (`ecr rules`). */
export interface CivilRules {
  /** The youngest a mother may have been at the birth of her child, in full years. */
  readonly motherMinimumAgeYears: number;
  /** The legal age to marry, in full years, for either spouse. */
  readonly legalMarriageAgeYears: number;
}

export const defaultRules: CivilRules = { motherMinimumAgeYears: 12, legalMarriageAgeYears: 18 };

type Row = Readonly<Record<string, unknown>>;

const ruleMessages: Record<
  RuleCode,
  Record<Language, (field: string, other: string, event: string) => string>
> = {
  'in-the-future': {
    en: (field) => `${field} is in the future.`,
    fr: (field) => `${field} est dans le futur.`,
  },
  'before-event': {
    en: (field, other) => `${field} is before ${other}.`,
    fr: (field, other) => `${field} est antérieure à ${other}.`,
  },
  'too-young': {
    en: (field, years, event) => `${field} is less than ${years} years (the minimum age) before ${event}.`,
    fr: (field, years, event) => `${field} est moins de ${years} ans (l'âge minimum) avant ${event}.`,
  },
  inconsistent: {
    en: (field, other) => `${field} is inconsistent with ${other}.`,
    fr: (field, other) => `${field} est incohérent avec ${other}.`,
  },
};

/** One rule's problem; its message names the field once, as the contract's do. */
function problem(field: string, code: RuleCode, other = '', event = ''): ActFieldError {
  return {
    field,
    code,
    message: ruleMessages[code].en(field, other, event),
    messageFr: ruleMessages[code].fr(field, other, event),
  };
}

/** Full years from `from` to `to`, both `YYYY-MM-DD`: the age on `to` of someone born on `from`. */
export function fullYears(from: string, to: string): number {
  const years = Number(to.slice(0, 4)) - Number(from.slice(0, 4));
  return to.slice(5) < from.slice(5) ? years - 1 : years;
}

const dateOf = (row: Row, field: string) =>
  typeof row[field] === 'string' ? (row[field] as string) : undefined;

/**
 * Checks a row's fields against the civil registration rules. Every field it is given must have passed
 * the contract's validation (dates exist, enumerations hold); a field left out (refused by the contract,
 * or absent) skips the rules that read it, so the rules on the other fields still run.
 * `today` is `YYYY-MM-DD` in the centre's time zone.
 */
export function checkCivilRules(kind: ActKind, row: Row, today: string, rules: CivilRules): ActFieldError[] {
  const errors: ActFieldError[] = [];
  const notFuture = (field: string) => {
    const value = dateOf(row, field);
    if (value !== undefined && value > today) errors.push(problem(field, 'in-the-future'));
  };
  const notBefore = (field: string, event: string) => {
    const value = dateOf(row, field);
    const eventDate = dateOf(row, event);
    if (value !== undefined && eventDate !== undefined && value < eventDate) {
      errors.push(problem(field, 'before-event', event));
    }
  };
  switch (kind) {
    case 'birth': {
      for (const field of [
        'date_of_birth',
        'date_of_declaration',
        'mother_date_of_birth',
        'father_date_of_birth',
      ]) {
        notFuture(field);
      }
      notBefore('date_of_declaration', 'date_of_birth');
      const birth = dateOf(row, 'date_of_birth');
      const mother = dateOf(row, 'mother_date_of_birth');
      if (birth && mother && fullYears(mother, birth) < rules.motherMinimumAgeYears) {
        errors.push(
          problem('mother_date_of_birth', 'too-young', String(rules.motherMinimumAgeYears), 'date_of_birth'),
        );
      }
      const father = dateOf(row, 'father_date_of_birth');
      if (birth && father && father >= birth) {
        errors.push(problem('father_date_of_birth', 'inconsistent', 'date_of_birth'));
      }
      const bornAlive = row.mother_children_born_alive;
      const living = row.mother_children_living;
      if (typeof bornAlive === 'number' && typeof living === 'number' && living > bornAlive) {
        errors.push(problem('mother_children_living', 'inconsistent', 'mother_children_born_alive'));
      }
      const multiplicity = { single: 1, twin: 2, triplet: 3 }[String(row.type_of_birth)] ?? 10;
      const order = row.birth_order_in_multiple;
      if (typeof order === 'number' && order > multiplicity) {
        errors.push(problem('birth_order_in_multiple', 'inconsistent', 'type_of_birth'));
      }
      break;
    }
    case 'marriage': {
      for (const field of [
        'date_of_marriage',
        'date_of_registration',
        'spouse1_date_of_birth',
        'spouse2_date_of_birth',
      ]) {
        notFuture(field);
      }
      notBefore('date_of_registration', 'date_of_marriage');
      const marriage = dateOf(row, 'date_of_marriage');
      for (const spouse of ['spouse1_date_of_birth', 'spouse2_date_of_birth']) {
        const born = dateOf(row, spouse);
        if (marriage && born && fullYears(born, marriage) < rules.legalMarriageAgeYears) {
          errors.push(problem(spouse, 'too-young', String(rules.legalMarriageAgeYears), 'date_of_marriage'));
        }
      }
      break;
    }
    case 'death': {
      for (const field of ['date_of_death', 'date_of_declaration', 'deceased_date_of_birth'])
        notFuture(field);
      notBefore('date_of_declaration', 'date_of_death');
      notBefore('date_of_death', 'deceased_date_of_birth');
      const death = dateOf(row, 'date_of_death');
      const born = dateOf(row, 'deceased_date_of_birth');
      const age = row.deceased_age_years;
      if (death && born && typeof age === 'number' && born <= death && fullYears(born, death) !== age) {
        errors.push(problem('deceased_age_years', 'inconsistent', 'deceased_date_of_birth'));
      }
      break;
    }
  }
  return errors;
}
