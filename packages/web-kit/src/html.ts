// HTML built from tagged templates: every interpolated value is escaped unless it is already Html
// (the result of another `html` template, or of an explicit `raw`). Pages cannot forget to escape.

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text escaped for an element's content or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (character) => escapes[character] ?? character);
}

/** A piece of HTML that is safe to insert as it is. */
export class Html {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

/** What a template accepts: text (escaped), numbers, Html, lists of those; null, undefined and false render nothing. */
export type HtmlValue = Html | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: interpolations are escaped, nested `html` results are not. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let index = 0; index < values.length; index += 1) {
    out += render(values[index] as HtmlValue) + (strings[index + 1] ?? '');
  }
  return new Html(out);
}

/** Inserts `text` unescaped. Only for HTML this code wrote itself, never for input. */
export function raw(text: string): Html {
  return new Html(text);
}

/** An attribute that is present or absent (`required`, `selected`). */
export function flag(name: string, on: boolean | undefined): Html {
  return on ? raw(` ${name}`) : raw('');
}

/** An attribute with a value, omitted when the value is null or undefined. */
export function attribute(name: string, value: string | number | null | undefined): Html {
  if (value === null || value === undefined) return raw('');
  return raw(` ${name}="${escapeHtml(String(value))}"`);
}
