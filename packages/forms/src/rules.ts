import type { Bilingual, ComparisonOperator, FormDefinition, RuleDefinition } from './definition.js';

// A definition's rules as one function of a row, giving errors in the site kit's FieldError shape.
// A rule reading a field that is empty (or that the contract refused) is skipped: "required" is the
// contract's business, and one missing value is reported once.

/** One rule's refusal: the field it is shown beside, a stable code, English and French. */
export interface RuleError {
  readonly field: string;
  readonly code: 'in-the-future' | 'comparison' | 'sum';
  readonly message: string;
  readonly messageFr: string;
}

const operatorWords: Readonly<Record<ComparisonOperator, Bilingual>> = {
  '<': { en: 'before or less than', fr: 'avant ou inférieur à' },
  '<=': { en: 'at most', fr: 'au plus' },
  '=': { en: 'equal to', fr: 'égal à' },
  '>=': { en: 'at least', fr: 'au moins' },
  '>': { en: 'after or more than', fr: 'après ou supérieur à' },
  '!=': { en: 'different from', fr: 'différent de' },
};

function holds(left: string | number, operator: ComparisonOperator, right: string | number): boolean {
  switch (operator) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '=':
      return left === right;
    case '>=':
      return left >= right;
    case '>':
      return left > right;
    case '!=':
      return left !== right;
  }
}

const present = (value: unknown): value is string | number =>
  (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value));

/** The rules of a definition; `labelOf` names fields in messages (their label, in each language). */
export function rulesOf(definition: FormDefinition) {
  const labels = new Map(definition.fields.map((field) => [field.name, field.label]));
  const label = (name: string): Bilingual => labels.get(name) ?? { en: name, fr: name };
  const failure = (rule: RuleDefinition, code: RuleError['code'], en: string, fr: string): RuleError => ({
    field: rule.field,
    code,
    message: rule.message?.en ?? en,
    messageFr: rule.message?.fr ?? fr,
  });
  return (row: Readonly<Record<string, unknown>>, today: string): RuleError[] => {
    const errors: RuleError[] = [];
    for (const rule of definition.rules) {
      const value = row[rule.field];
      if (!present(value)) continue;
      const name = label(rule.field);
      if (rule.kind === 'not-in-future') {
        if (typeof value === 'string' && value > today)
          errors.push(
            failure(rule, 'in-the-future', `${name.en} is in the future.`, `${name.fr} est dans le futur.`),
          );
      } else if (rule.kind === 'compare') {
        const other = row[rule.other];
        if (!present(other) || typeof other !== typeof value) continue;
        if (!holds(value, rule.operator, other)) {
          const words = operatorWords[rule.operator];
          const otherName = label(rule.other);
          errors.push(
            failure(
              rule,
              'comparison',
              `${name.en} must be ${words.en} ${otherName.en}.`,
              `${name.fr} doit être ${words.fr} ${otherName.fr}.`,
            ),
          );
        }
      } else {
        const terms = rule.of.map((term) => row[term]);
        // An empty term counts as 0 only when the field is optional and left empty: a sum is
        // checked as soon as its total is given.
        const total = terms.reduce<number>((sum, term) => sum + (typeof term === 'number' ? term : 0), 0);
        if (typeof value === 'number' && value !== total) {
          const en = rule.of.map((term) => label(term).en).join(' + ');
          const fr = rule.of.map((term) => label(term).fr).join(' + ');
          errors.push(
            failure(
              rule,
              'sum',
              `${name.en} (${value}) must equal ${en} (${total}).`,
              `${name.fr} (${value}) doit être égal à ${fr} (${total}).`,
            ),
          );
        }
      }
    }
    return errors;
  };
}
