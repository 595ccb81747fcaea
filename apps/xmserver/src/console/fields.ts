import { attribute, flag, type Html, html } from '@xmcomm/web-kit';

export interface InputOptions {
  readonly name: string;
  /** The element's id when a page has the same field more than once (default `f-<name>`). */
  readonly id?: string;
  readonly label: string;
  readonly value?: string | undefined;
  readonly error?: string | undefined;
  readonly help?: string | undefined;
  readonly type?: 'text' | 'number' | 'date' | 'month' | 'password' | 'search';
  readonly required?: boolean;
  readonly maxLength?: number;
  /** `[value, label]` pairs: a select instead of an input. */
  readonly choices?: readonly (readonly [string, string])[];
  readonly multiline?: boolean;
}

/** A labelled input with its help and its error beside it, tied to it for screen readers. */
export function input(o: InputOptions): Html {
  const id = o.id ?? `f-${o.name}`;
  const described = [o.error ? `${id}-error` : '', o.help ? `${id}-help` : ''].filter(Boolean).join(' ');
  const common = html`id="${id}" name="${o.name}"${flag('required', o.required)}${attribute('aria-invalid', o.error ? 'true' : undefined)}${attribute('aria-describedby', described || undefined)}`;
  let control: Html;
  if (o.choices) {
    control = html`<select ${common}>${o.choices.map(([value, label]) => html`<option value="${value}"${flag('selected', value === (o.value ?? ''))}>${label}</option>`)}</select>`;
  } else if (o.multiline) {
    control = html`<textarea ${common} rows="3"${attribute('maxlength', o.maxLength)}>${o.value ?? ''}</textarea>`;
  } else {
    control = html`<input type="${o.type ?? 'text'}" ${common} value="${o.value ?? ''}"${attribute('maxlength', o.maxLength)}${o.type === 'number' ? html` inputmode="numeric" min="1" step="1"` : ''}>`;
  }
  return html`<div class="field"><label for="${id}">${o.label}</label>
${control}
${o.help ? html`<span class="help" id="${id}-help">${o.help}</span>` : ''}
${o.error ? html`<span class="field-error" id="${id}-error">${o.error}</span>` : ''}</div>`;
}

/** A labelled file input (its form needs enctype="multipart/form-data"), help and error beside it. */
export function fileInput(o: {
  readonly name: string;
  readonly label: string;
  readonly accept: string;
  readonly help?: string | undefined;
  readonly error?: string | undefined;
  readonly required?: boolean;
}): Html {
  const id = `f-${o.name}`;
  const described = [o.help ? `${id}-help` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field"><label for="${id}">${o.label}</label>
<input type="file" id="${id}" name="${o.name}" accept="${o.accept}"${flag('required', o.required)}${attribute('aria-invalid', o.error ? 'true' : undefined)}${attribute('aria-describedby', described || undefined)}>
${o.help ? html`<span class="help" id="${id}-help">${o.help}</span>` : ''}
${o.error ? html`<span class="field-error" id="${id}-error">${o.error}</span>` : ''}</div>`;
}
