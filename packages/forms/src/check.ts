import {
  type Bilingual,
  type ComparisonOperator,
  comparisonOperators,
  type EnumValue,
  type FieldDefinition,
  type FieldType,
  type FormDefinition,
  fieldTypes,
  formFormat,
  type PrintDefinition,
  type RuleDefinition,
  ruleKinds,
} from './definition.js';
import { element, type Json, member, type Position } from './json-reader.js';
import { type FormProblem, type FormProblemCode, problemAt } from './problems.js';
import { reservedColumn, reservedTable } from './reserved.js';

// The strict validator of a definition: every member known, every type right, every name an
// identifier that is neither reserved nor SQL-ish, every field a rule or the print names declared.
// All problems are collected (an operator fixes a file in one pass), each at its line.

const identifier = /^[a-z][a-z0-9_]{0,62}$/;
const typeName = /^[a-z][a-z0-9-]{0,31}$/;

/** Bounds that keep a definition a form, not a way to load the server. */
export const definitionLimits = {
  fields: 200,
  rules: 100,
  enumValues: 200,
  textLength: 4000,
  labelLength: 200,
  sumTerms: 50,
} as const;

type Obj = { readonly [key: string]: Json };

class Checker {
  readonly problems: FormProblem[] = [];
  constructor(private readonly positions: ReadonlyMap<string, Position>) {}

  add(code: FormProblemCode, path: string, en: string, fr: string): void {
    this.problems.push(problemAt(code, path, this.positions.get(path), en, fr));
  }

  object(value: Json | undefined, path: string, known: readonly string[]): Obj | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add('type', path, 'an object { … } is expected.', 'un objet { … } est attendu.');
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        this.add(
          'unknown-member',
          member(path, key),
          `"${key.slice(0, 40)}" is not a member here (known: ${known.join(', ')}).`,
          `« ${key.slice(0, 40)} » n'est pas un membre ici (connus : ${known.join(', ')}).`,
        );
      }
    }
    return value;
  }

  required<T>(obj: Obj, key: string, path: string, read: (v: Json, p: string) => T | undefined) {
    if (!Object.hasOwn(obj, key)) {
      this.add('missing', path, `"${key}" is missing.`, `« ${key} » manque.`);
      return undefined;
    }
    return read(obj[key] as Json, member(path, key));
  }

  optional<T>(obj: Obj, key: string, path: string, read: (v: Json, p: string) => T | undefined) {
    return Object.hasOwn(obj, key) ? read(obj[key] as Json, member(path, key)) : undefined;
  }

  text = (value: Json, path: string, maxLength: number = definitionLimits.labelLength) => {
    if (typeof value !== 'string' || value.trim() === '') {
      this.add('type', path, 'a non-empty text is expected.', 'un texte non vide est attendu.');
      return undefined;
    }
    if (value.length > maxLength || value.includes('\u0000')) {
      this.add(
        'out-of-range',
        path,
        `at most ${maxLength} characters, no NUL.`,
        `au plus ${maxLength} caractères, sans NUL.`,
      );
      return undefined;
    }
    return value;
  };

  integer = (value: Json, path: string, min: number, max: number) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.add('type', path, 'a whole number is expected.', 'un nombre entier est attendu.');
      return undefined;
    }
    if (value < min || value > max) {
      this.add('out-of-range', path, `between ${min} and ${max}.`, `entre ${min} et ${max}.`);
      return undefined;
    }
    return value;
  };

  boolean = (value: Json, path: string) => {
    if (typeof value !== 'boolean') {
      this.add('type', path, 'true or false is expected.', 'true ou false est attendu.');
      return undefined;
    }
    return value;
  };

  bilingual = (value: Json, path: string): Bilingual | undefined => {
    const obj = this.object(value, path, ['en', 'fr']);
    if (!obj) return undefined;
    const en = this.required(obj, 'en', path, this.text);
    const fr = this.required(obj, 'fr', path, this.text);
    return en !== undefined && fr !== undefined ? { en, fr } : undefined;
  };

  list = <T>(
    value: Json,
    path: string,
    max: number,
    read: (v: Json, p: string) => T | undefined,
    min = 1,
  ): T[] | undefined => {
    if (!Array.isArray(value)) {
      this.add('type', path, 'a list [ … ] is expected.', 'une liste [ … ] est attendue.');
      return undefined;
    }
    if (value.length < min || value.length > max) {
      this.add('out-of-range', path, `${min} to ${max} items.`, `de ${min} à ${max} éléments.`);
      return undefined;
    }
    const out: T[] = [];
    value.forEach((item, index) => {
      const read1 = read(item, element(path, index));
      if (read1 !== undefined) out.push(read1);
    });
    return out.length === value.length ? out : undefined;
  };
}

/**
 * Checks a parsed definition. Returns the definition, typed, or every problem found with its place.
 * `positions` come from `readJson`; with none, problems carry their JSON path only.
 */
export function checkDefinition(
  value: Json,
  positions: ReadonlyMap<string, Position> = new Map(),
): { ok: true; value: FormDefinition } | { ok: false; problems: readonly FormProblem[] } {
  const c = new Checker(positions);
  const root = c.object(value, '$', [
    'format',
    'name',
    'table',
    'version',
    'refLetter',
    'label',
    'fields',
    'rules',
    'title',
    'search',
    'eventDate',
    'signer',
    'print',
  ]);
  if (!root) return { ok: false, problems: c.problems };
  const format = c.required(root, 'format', '$', (v, p) => {
    if (v !== formFormat)
      c.add(
        'unsupported-format',
        p,
        `"${formFormat}" is expected: this program reads that format.`,
        `« ${formFormat} » est attendu : ce programme lit ce format.`,
      );
    return v === formFormat ? formFormat : undefined;
  });
  const name = c.required(root, 'name', '$', (v, p) => {
    const text = c.text(v, p, 32);
    if (text !== undefined && !typeName.test(text)) {
      c.add(
        'invalid-name',
        p,
        'the type name is 1-32 lower-case letters, digits or dashes, starting with a letter.',
        'le nom du type fait 1 à 32 lettres minuscules, chiffres ou tirets, en commençant par une lettre.',
      );
      return undefined;
    }
    return text;
  });
  const table = c.required(root, 'table', '$', (v, p) => {
    const text = identifierAt(c, v, p);
    if (text !== undefined && reservedTable(text)) {
      c.add(
        'reserved-name',
        p,
        `"${text}" is a table of the platform or a reserved name; choose another.`,
        `« ${text} » est une table de la plateforme ou un nom réservé ; choisissez-en un autre.`,
      );
      return undefined;
    }
    return text;
  });
  const version = c.required(root, 'version', '$', (v, p) => c.integer(v, p, 1, 1_000_000));
  const refLetter = c.required(root, 'refLetter', '$', (v, p) => {
    if (typeof v !== 'string' || !/^[A-Z]$/.test(v)) {
      c.add('type', p, 'one capital letter is expected.', 'une lettre majuscule est attendue.');
      return undefined;
    }
    return v;
  });
  const label = c.required(root, 'label', '$', c.bilingual);
  const fields = c.required(root, 'fields', '$', (v, p) =>
    c.list(v, p, definitionLimits.fields, (f, fp) => fieldAt(c, f, fp)),
  );
  const byName = new Map<string, FieldDefinition>();
  if (fields) {
    fields.forEach((field, index) => {
      if (byName.has(field.name)) {
        c.add(
          'duplicate',
          member(element('$.fields', index), 'name'),
          `the field "${field.name}" is defined twice.`,
          `le champ « ${field.name} » est défini deux fois.`,
        );
      }
      byName.set(field.name, field);
    });
  }
  // Names are checked against the fields only once those read well: otherwise one bad field
  // would also make every rule naming it a problem.
  const known = fields !== undefined;
  const fieldRef =
    (types?: readonly FieldType[]) =>
    (v: Json, p: string): string | undefined => {
      const text = identifierAt(c, v, p);
      if (text === undefined || !known) return text;
      const field = byName.get(text);
      if (!field) {
        c.add(
          'unknown-field',
          p,
          `"${text}" is not one of the fields.`,
          `« ${text} » n'est pas un des champs.`,
        );
        return undefined;
      }
      if (types && !types.includes(field.type)) {
        c.add(
          'wrong-field-type',
          p,
          `"${text}" is ${field.type}; ${types.join(' or ')} is expected here.`,
          `« ${text} » est de type ${field.type} ; ${types.join(' ou ')} est attendu ici.`,
        );
        return undefined;
      }
      return text;
    };
  const rules =
    c.optional(root, 'rules', '$', (v, p) =>
      c.list(v, p, definitionLimits.rules, (r, rp) => ruleAt(c, r, rp, fieldRef, byName), 0),
    ) ?? (Object.hasOwn(root, 'rules') ? undefined : []);
  const title = c.required(root, 'title', '$', (v, p) => c.list(v, p, 10, fieldRef()));
  const search = c.required(root, 'search', '$', (v, p) => {
    const obj = c.object(v, p, ['names', 'places']);
    if (!obj) return undefined;
    const names = c.required(obj, 'names', p, (n, np) => c.list(n, np, 10, fieldRef(['text'])));
    const places = c.optional(obj, 'places', p, (n, np) => c.list(n, np, 10, fieldRef(['text']), 0)) ?? [];
    return names ? { names, places } : undefined;
  });
  const eventDate = c.required(root, 'eventDate', '$', fieldRef(['date']));
  const signer = c.optional(root, 'signer', '$', (v, p) => {
    const obj = c.object(v, p, ['privilege', 'title']);
    if (!obj) return undefined;
    const privilege = c.required(obj, 'privilege', p, (n, np) => c.integer(n, np, 2, 3)) as 2 | 3 | undefined;
    const signerTitle = c.optional(obj, 'title', p, c.bilingual);
    return privilege === undefined
      ? undefined
      : { privilege, ...(signerTitle ? { title: signerTitle } : {}) };
  }) ?? { privilege: 3 as const };
  const print = c.required(root, 'print', '$', (v, p) => printAt(c, v, p, fieldRef));
  if (c.problems.length > 0) return { ok: false, problems: c.problems };
  return {
    ok: true,
    value: {
      format: format as typeof formFormat,
      name: name as string,
      table: table as string,
      version: version as number,
      refLetter: refLetter as string,
      label: label as Bilingual,
      fields: fields as FieldDefinition[],
      rules: rules as RuleDefinition[],
      title: title as string[],
      search: search as FormDefinition['search'],
      eventDate: eventDate as string,
      signer,
      print: print as PrintDefinition,
    },
  };
}

function identifierAt(c: Checker, v: Json, p: string): string | undefined {
  if (typeof v !== 'string' || !identifier.test(v)) {
    c.add(
      'invalid-name',
      p,
      'a name of 1-63 lower-case letters, digits or underscores, starting with a letter, is expected.',
      'un nom de 1 à 63 lettres minuscules, chiffres ou soulignés, commençant par une lettre, est attendu.',
    );
    return undefined;
  }
  return v;
}

function fieldAt(c: Checker, value: Json, path: string): FieldDefinition | undefined {
  const obj = c.object(value, path, [
    'name',
    'type',
    'label',
    'help',
    'required',
    'maxLength',
    'min',
    'max',
    'values',
  ]);
  if (!obj) return undefined;
  const name = c.required(obj, 'name', path, (v, p) => {
    const text = identifierAt(c, v, p);
    if (text !== undefined && reservedColumn(text)) {
      c.add(
        'reserved-name',
        p,
        `"${text}" is reserved (a column every exchanged table has, or an SQL keyword).`,
        `« ${text} » est réservé (une colonne de toute table échangée, ou un mot-clé SQL).`,
      );
      return undefined;
    }
    return text;
  });
  const type = c.required(obj, 'type', path, (v, p) => {
    if (typeof v !== 'string' || !(fieldTypes as readonly string[]).includes(v)) {
      c.add(
        'type',
        p,
        `one of ${fieldTypes.join(', ')} is expected.`,
        `une de ces valeurs est attendue : ${fieldTypes.join(', ')}.`,
      );
      return undefined;
    }
    return v as FieldType;
  });
  const label = c.required(obj, 'label', path, c.bilingual);
  const help = c.optional(obj, 'help', path, (v, p) => c.bilingual(v, p));
  const required = c.optional(obj, 'required', path, c.boolean) ?? false;
  const only = (key: string, types: readonly FieldType[]) => {
    if (Object.hasOwn(obj, key) && type !== undefined && !types.includes(type)) {
      c.add(
        'unknown-member',
        member(path, key),
        `"${key}" applies to ${types.join(', ')} fields only.`,
        `« ${key} » ne s'applique qu'aux champs ${types.join(', ')}.`,
      );
    }
  };
  only('maxLength', ['text']);
  only('min', ['integer']);
  only('max', ['integer']);
  only('values', ['enum']);
  const maxLength =
    type === 'text'
      ? c.required(obj, 'maxLength', path, (v, p) => c.integer(v, p, 1, definitionLimits.textLength))
      : undefined;
  const bound = 2_147_483_647;
  const min =
    type === 'integer' ? c.optional(obj, 'min', path, (v, p) => c.integer(v, p, -bound, bound)) : undefined;
  const max =
    type === 'integer' ? c.optional(obj, 'max', path, (v, p) => c.integer(v, p, -bound, bound)) : undefined;
  if (min !== undefined && max !== undefined && min > max) {
    c.add('out-of-range', member(path, 'max'), 'max is below min.', 'max est inférieur à min.');
  }
  const values =
    type === 'enum'
      ? c.required(obj, 'values', path, (v, p) => {
          const list = c.list(v, p, definitionLimits.enumValues, (e, ep) => enumValueAt(c, e, ep));
          const seen = new Set<string>();
          list?.forEach((entry, index) => {
            if (seen.has(entry.value))
              c.add(
                'duplicate',
                member(element(p, index), 'value'),
                `the value "${entry.value}" is listed twice.`,
                `la valeur « ${entry.value} » figure deux fois.`,
              );
            seen.add(entry.value);
          });
          return list;
        })
      : undefined;
  if (name === undefined || type === undefined || label === undefined) return undefined;
  return {
    name,
    type,
    label,
    required,
    ...(help ? { help } : {}),
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    ...(values ? { values } : {}),
  };
}

function enumValueAt(c: Checker, value: Json, path: string): EnumValue | undefined {
  const obj = c.object(value, path, ['value', 'label']);
  if (!obj) return undefined;
  const code = c.required(obj, 'value', path, (v, p) => {
    if (typeof v !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(v)) {
      c.add(
        'invalid-name',
        p,
        'a code of 1-40 letters, digits, dashes or underscores is expected.',
        'un code de 1 à 40 lettres, chiffres, tirets ou soulignés est attendu.',
      );
      return undefined;
    }
    return v;
  });
  const label = c.required(obj, 'label', path, c.bilingual);
  return code !== undefined && label !== undefined ? { value: code, label } : undefined;
}

type FieldRef = (types?: readonly FieldType[]) => (v: Json, p: string) => string | undefined;

function ruleAt(
  c: Checker,
  value: Json,
  path: string,
  fieldRef: FieldRef,
  byName: ReadonlyMap<string, FieldDefinition>,
): RuleDefinition | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('kind' in value)) {
    c.add('missing', path, 'a rule { "kind": … } is expected.', 'une règle { "kind": … } est attendue.');
    return undefined;
  }
  const kind = value.kind;
  if (typeof kind !== 'string' || !(ruleKinds as readonly string[]).includes(kind)) {
    c.add(
      'type',
      member(path, 'kind'),
      `one of ${ruleKinds.join(', ')} is expected.`,
      `une de ces valeurs est attendue : ${ruleKinds.join(', ')}.`,
    );
    return undefined;
  }
  const message = (obj: Obj) => c.optional(obj, 'message', path, c.bilingual);
  if (kind === 'not-in-future') {
    const obj = c.object(value, path, ['kind', 'field', 'message']) as Obj;
    const field = c.required(obj, 'field', path, fieldRef(['date']));
    const words = message(obj);
    return field === undefined ? undefined : { kind, field, ...(words ? { message: words } : {}) };
  }
  if (kind === 'compare') {
    const obj = c.object(value, path, ['kind', 'field', 'operator', 'other', 'message']) as Obj;
    const field = c.required(obj, 'field', path, fieldRef(['date', 'integer']));
    const operator = c.required(obj, 'operator', path, (v, p) => {
      if (typeof v !== 'string' || !(comparisonOperators as readonly string[]).includes(v)) {
        c.add(
          'type',
          p,
          `one of ${comparisonOperators.join(' ')} is expected.`,
          `un de ces opérateurs est attendu : ${comparisonOperators.join(' ')}.`,
        );
        return undefined;
      }
      return v as ComparisonOperator;
    });
    const other = c.required(obj, 'other', path, fieldRef(['date', 'integer']));
    if (field !== undefined && other !== undefined && byName.get(field)?.type !== byName.get(other)?.type) {
      c.add(
        'wrong-field-type',
        member(path, 'other'),
        `"${field}" and "${other}" are not of the same type.`,
        `« ${field} » et « ${other} » ne sont pas du même type.`,
      );
      return undefined;
    }
    const words = message(obj);
    return field === undefined || operator === undefined || other === undefined
      ? undefined
      : { kind, field, operator, other, ...(words ? { message: words } : {}) };
  }
  const obj = c.object(value, path, ['kind', 'field', 'of', 'message']) as Obj;
  const field = c.required(obj, 'field', path, fieldRef(['integer']));
  const of = c.required(obj, 'of', path, (v, p) =>
    c.list(v, p, definitionLimits.sumTerms, fieldRef(['integer'])),
  );
  const words = message(obj);
  return field === undefined || of === undefined
    ? undefined
    : { kind: 'sum', field, of, ...(words ? { message: words } : {}) };
}

function printAt(c: Checker, value: Json, path: string, fieldRef: FieldRef): PrintDefinition | undefined {
  const obj = c.object(value, path, ['title', 'fields', 'sealFields', 'watermark']);
  if (!obj) return undefined;
  const title = c.required(obj, 'title', path, c.bilingual);
  const fields = c.required(obj, 'fields', path, (v, p) => c.list(v, p, definitionLimits.fields, fieldRef()));
  const sealFields = c.optional(obj, 'sealFields', path, (v, p) => c.list(v, p, 30, fieldRef()));
  const watermark = c.optional(obj, 'watermark', path, (v, p) => c.text(v, p, 40));
  if (title === undefined || fields === undefined) return undefined;
  return {
    title,
    fields,
    ...(sealFields ? { sealFields } : {}),
    ...(watermark ? { watermark } : {}),
  };
}
