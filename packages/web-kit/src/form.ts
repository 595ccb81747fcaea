import type { ColumnSpec } from '@xmcomm/schema';
import { attribute, flag, type Html, html } from './html.js';
import { format, type Language, type Text } from './i18n.js';
import { webTexts } from './messages.js';

/** One input of a form, as the contract's column spec and the app's labels describe it. */
export interface FormField {
  readonly name: string;
  readonly spec: ColumnSpec;
  readonly label: Text;
  readonly help?: Text;
  /** Labels of an enum's values; a value without one shows as it is. */
  readonly values?: Readonly<Record<string, Text>>;
  /** Earliest and latest date a date field accepts (YYYY-MM-DD): the picker offers no other. */
  readonly min?: string;
  readonly max?: string;
}

/** A field's problem in both languages: the shape the site kit's rules return too. */
export interface FieldProblem {
  readonly field: string;
  readonly code: string;
  readonly message: string;
  readonly messageFr: string;
}

export type FormValues = Readonly<Record<string, string>>;

const problem = (field: string, code: string, text: Text, params: Record<string, string | number> = {}) => ({
  field,
  code,
  message: format(text.en, params),
  messageFr: format(text.fr, params),
});

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

/** Whether `value` is a calendar date that exists (no 30 February, no month 13). */
export function isRealDate(value: string): boolean {
  const match = datePattern.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const isInteger = (type: string) => type === 'integer' || type === 'smallint' || type === 'bigint';

/**
 * Reads a posted form into typed values (null for an empty field) and the problems the form alone
 * can see: a missing required field, a date that does not exist or is out of bounds, a number that
 * is not one, a value not in the list, a text too long. The app's own rules come after.
 */
export function readForm(
  fields: readonly FormField[],
  body: unknown,
): { values: Record<string, unknown>; entered: Record<string, string>; problems: FieldProblem[] } {
  const source = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const values: Record<string, unknown> = {};
  const entered: Record<string, string> = {};
  const problems: FieldProblem[] = [];
  for (const field of fields) {
    const posted = source[field.name];
    const first = Array.isArray(posted) ? posted[0] : posted;
    const text = typeof first === 'string' ? first.normalize('NFC').trim() : '';
    entered[field.name] = text;
    const { spec, name } = field;
    if (text === '') {
      values[name] = spec.type === 'boolean' && spec.required ? false : null;
      if (spec.required && spec.type !== 'boolean')
        problems.push(problem(name, 'required', webTexts.fieldRequired));
      continue;
    }
    if (spec.type === 'date') {
      if (!isRealDate(text)) problems.push(problem(name, 'invalid-date', webTexts.fieldNotDate));
      else if (field.min && text < field.min)
        problems.push(problem(name, 'too-early', webTexts.fieldDateBefore, { min: field.min }));
      else if (field.max && text > field.max)
        problems.push(problem(name, 'too-late', webTexts.fieldDateAfter, { max: field.max }));
      values[name] = text;
    } else if (spec.type === 'time') {
      if (!timePattern.test(text)) problems.push(problem(name, 'invalid-time', webTexts.fieldNotTime));
      values[name] = text.length === 5 ? `${text}:00` : text;
    } else if (isInteger(spec.type) || spec.type === 'numeric') {
      const ok = isInteger(spec.type) ? /^-?\d{1,15}$/.test(text) : /^-?\d{1,15}(\.\d{1,10})?$/.test(text);
      if (!ok) {
        problems.push(
          problem(
            name,
            'not-a-number',
            isInteger(spec.type) ? webTexts.fieldNotInteger : webTexts.fieldNotNumber,
          ),
        );
        values[name] = text;
        continue;
      }
      const number = Number(text);
      if (spec.min !== undefined && number < spec.min)
        problems.push(problem(name, 'too-small', webTexts.fieldBelowMin, { min: spec.min }));
      if (spec.max !== undefined && number > spec.max)
        problems.push(problem(name, 'too-large', webTexts.fieldAboveMax, { max: spec.max }));
      values[name] = number;
    } else if (spec.type === 'boolean') {
      values[name] = text === 'true' || text === 'on';
    } else if (spec.type === 'enum') {
      if (!spec.values?.includes(text)) problems.push(problem(name, 'not-allowed', webTexts.fieldNotChoice));
      values[name] = text;
    } else {
      if (spec.maxLength !== undefined && [...text].length > spec.maxLength) {
        problems.push(problem(name, 'too-long', webTexts.fieldTooLong, { max: spec.maxLength }));
      }
      values[name] = text;
    }
  }
  return { values, entered, problems };
}

/** The message of each field's first problem, in `language`. */
export function problemsByField(
  problems: readonly FieldProblem[],
  language: Language,
): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const item of problems) {
    byField[item.field] ??= language === 'fr' ? item.messageFr : item.message;
  }
  return byField;
}

/** The value to show in an input for a stored value (dates as YYYY-MM-DD, times as hh:mm). */
export function inputValue(spec: ColumnSpec, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, spec.type === 'date' ? 10 : 16);
  if (spec.type === 'time') return String(value).slice(0, 5);
  return String(value);
}

/**
 * One labelled input typed from its column: a date picker bounded by min and max, a select for an
 * enum, a number input with its bounds, a checkbox or yes/no select, a time picker, a text input
 * with its length. A problem shows beside it and is tied to it (aria-invalid, aria-describedby).
 */
export function renderField(
  field: FormField,
  value: string,
  error: string | undefined,
  language: Language,
): Html {
  const { spec, name } = field;
  const id = `f-${name}`;
  const t = (text: Text) => text[language];
  const described = [error ? `${id}-error` : '', field.help ? `${id}-help` : ''].filter(Boolean).join(' ');
  const common = html`id="${id}" name="${name}"${flag('required', spec.required && spec.type !== 'boolean')}${attribute('aria-invalid', error ? 'true' : undefined)}${attribute('aria-describedby', described || undefined)}`;
  let input: Html;
  if (spec.type === 'enum') {
    const options = (spec.values ?? []).map(
      (option) =>
        html`<option value="${option}"${flag('selected', option === value)}>${field.values?.[option] ? t(field.values[option]) : option}</option>`,
    );
    input = html`<select ${common}><option value="">${t(webTexts.choose)}</option>${options}</select>`;
  } else if (spec.type === 'boolean' && spec.required) {
    input = html`<input type="checkbox" value="true" ${common}${flag('checked', value === 'true' || value === 'on')}>`;
  } else if (spec.type === 'boolean') {
    input = html`<select ${common}><option value=""></option><option value="true"${flag('selected', value === 'true')}>${t(webTexts.yes)}</option><option value="false"${flag('selected', value === 'false')}>${t(webTexts.no)}</option></select>`;
  } else if (spec.type === 'date') {
    input = html`<input type="date" ${common} value="${value}"${attribute('min', field.min)}${attribute('max', field.max)}>`;
  } else if (spec.type === 'time') {
    input = html`<input type="time" ${common} value="${value}">`;
  } else if (isInteger(spec.type) || spec.type === 'numeric') {
    input = html`<input type="number" inputmode="${isInteger(spec.type) ? 'numeric' : 'decimal'}" step="${isInteger(spec.type) ? '1' : 'any'}" ${common} value="${value}"${attribute('min', spec.min)}${attribute('max', spec.max)}>`;
  } else if (spec.type === 'text' && (spec.maxLength ?? 0) > 200) {
    input = html`<textarea ${common} rows="3"${attribute('maxlength', spec.maxLength)}>${value}</textarea>`;
  } else {
    input = html`<input type="text" ${common} value="${value}"${attribute('maxlength', spec.maxLength)}>`;
  }
  return html`<div class="field">
<label for="${id}">${t(field.label)}${spec.required && spec.type !== 'boolean' ? html` <span class="req" title="${t(webTexts.required)}">*</span><span class="sr-only"> (${t(webTexts.required)})</span>` : ''}</label>
${input}
${field.help ? html`<span class="help" id="${id}-help">${t(field.help)}</span>` : ''}
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
</div>`;
}

/** Every field in order, with the values entered so far and each field's problem beside it. */
export function renderFields(
  fields: readonly FormField[],
  values: FormValues,
  errors: Readonly<Record<string, string>>,
  language: Language,
): Html {
  return html`${fields.map((field) => renderField(field, values[field.name] ?? '', errors[field.name], language))}`;
}
