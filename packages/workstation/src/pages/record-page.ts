import { type RecordRef, type RecordType, type RecordView, SiteKitError } from '@xmcomm/site-kit';
import { csrfInput, type FormField, formValue, type Html, html, WebKitError } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  actorOf,
  languageOf,
  type PageContext,
  refusalText,
  rethrowKitRefusal,
  say,
  showDate,
  showTime,
} from '../context.js';
import { noticeOf, noticeUrl } from '../notices.js';
import { texts } from '../texts.js';
import { statusBadge } from './home.js';
import { printAction, printRecord } from './print.js';
import { formFieldsOf } from './record-form.js';

function shownValue(request: FastifyRequest, field: FormField | undefined, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (field?.spec.type === 'date') return showDate(value);
  if (field?.spec.type === 'timestamp' || value instanceof Date) return showTime(value);
  if (field?.spec.type === 'time') return String(value).slice(0, 5);
  if (field?.spec.type === 'boolean')
    return value ? say(request, { en: 'Yes', fr: 'Oui' }) : say(request, { en: 'No', fr: 'Non' });
  const label = field?.values?.[String(value)];
  return label ? label[languageOf(request)] : String(value);
}

/** A history line's detail as words: `niu: 100001-2026-…`, without the digest (the signature says it). */
function detailText(detail: unknown): string {
  if (typeof detail !== 'object' || detail === null) return String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .filter(([key, value]) => key !== 'digest' && value !== null && value !== undefined)
    .map(
      ([key, value]) =>
        `${key}: ${Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join(' · ');
}

const printedWords = {
  document: { en: 'document', fr: 'document' },
  template: { en: 'template', fr: 'modèle' },
} as const;

/**
 * A `printed` line's detail in words: which document (the app's own name for its kind, from its
 * print hooks), its id and the template, e.g. "Extrait · document 102034-D000001 · modèle birth-extract v2".
 */
function printedText(ctx: PageContext, request: FastifyRequest, detail: unknown): string {
  if (typeof detail !== 'object' || detail === null) return detailText(detail);
  const { kind, document, template } = detail as Record<string, unknown>;
  const label = ctx.print?.kinds.find((k) => k.kind === kind)?.label;
  return [
    label ? say(request, label) : String(kind ?? ''),
    document === undefined ? '' : `${say(request, printedWords.document)} ${String(document)}`,
    template === undefined ? '' : `${say(request, printedWords.template)} ${String(template)}`,
  ]
    .filter((part) => part !== '')
    .join(' · ');
}

const workflowLabels: Readonly<Record<string, { en: string; fr: string }>> = {
  drafted_by: { en: 'Drafted by', fr: 'Rédigée par' },
  drafted_at: { en: 'Drafted at', fr: 'Rédigée le' },
  verified_by: { en: 'Verified by', fr: 'Vérifiée par' },
  verified_at: { en: 'Verified at', fr: 'Vérifiée le' },
  validated_by: { en: 'Validated by', fr: 'Validée par' },
  validated_at: { en: 'Validated at', fr: 'Validée le' },
};

/** The buttons of the actions this user may take on this record now: no others are shown. */
function actionsFor(ctx: PageContext, request: FastifyRequest, type: RecordType, view: RecordView): Html[] {
  const actor = actorOf(ctx, request);
  const may = (action: 'edit' | 'verify' | 'validate' | 'cancel') => ctx.kit.allows(actor, type.name, action);
  const token = csrfInput(request.web.csrfToken);
  const base = `/records/${view.ref}`;
  const open = view.status === 1 && !view.readOnly;
  const verified = view.fields.verified_by !== undefined;
  const out: Html[] = [];
  if (open && may('edit'))
    out.push(html`<a class="button secondary" href="${base}/edit">${say(request, texts.edit)}</a>`);
  if (open && !verified && may('verify')) {
    out.push(
      html`<form method="post" action="${base}/verify">${token}<button type="submit">${say(request, texts.verify)}</button></form>`,
    );
  }
  if (open && verified && may('validate')) {
    out.push(html`<form method="post" action="${base}/validate" class="card action-card">${token}
<div class="field"><label for="validate-password">${say(request, texts.validatePassword)}</label>
<input id="validate-password" name="password" type="password" autocomplete="current-password" required maxlength="200"></div>
<button type="submit">${say(request, texts.validate)}</button></form>`);
  }
  if (open && may('cancel')) {
    out.push(html`<form method="post" action="${base}/cancel" class="card action-card">${token}
<div class="field"><label for="cancel-reason">${say(request, texts.cancelReason)}</label>
<input id="cancel-reason" name="reason" maxlength="200"></div>
<button type="submit" class="danger">${say(request, ctx.words(type.name).cancel)}</button></form>`);
  }
  const print = printAction(ctx, request, view);
  if (print) out.push(print);
  return out;
}

async function sendRecord(
  ctx: PageContext,
  request: FastifyRequest,
  reply: FastifyReply,
  ref: RecordRef,
  refusal?: string,
) {
  const actor = actorOf(ctx, request);
  const language = languageOf(request);
  let view: RecordView;
  let history: Awaited<ReturnType<typeof ctx.kit.records.history>>;
  try {
    [view, history] = await Promise.all([
      ctx.kit.records.get(actor, ref),
      ctx.kit.records.history(actor, ref),
    ]);
  } catch (error) {
    rethrowKitRefusal(request, error);
    throw error;
  }
  const type = ctx.kit.recordType(ref.type);
  const fields = new Map(formFieldsOf(ctx, type).map((field) => [field.name, field]));
  const rows = [
    ...type.formFields.filter((name) => view.fields[name] !== undefined),
    ...Object.keys(workflowLabels).filter((name) => view.fields[name] !== undefined),
  ];
  const actions = actionsFor(ctx, request, type, view);
  const words = ctx.words(type.name);
  const body = html`${noticeOf(request, words)}
${refusal ? html`<p class="error-message" role="alert">${refusal}</p>` : ''}
<p>${type.label[language]} · ${statusBadge(request, view.status)}${view.niu ? html` · <strong>${say(request, texts.niu)} ${view.niu}</strong>` : ''}</p>
${view.rejection ? html`<p class="error-message">${say(request, words.refusedBecause, { reason: `${view.rejection.reason}${view.rejection.detail ? ` (${view.rejection.detail})` : ''}` })}</p>` : ''}
${view.readOnly ? html`<p class="notice warn">${say(request, words.imported, { origin: view.origin ?? '' })}</p>` : ''}
<section><h2>${say(request, texts.actions)}</h2>
<div class="actions">${actions.length > 0 ? actions : html`<p class="muted">${say(request, words.noActions)}</p>`}</div></section>
<section class="card"><h2>${say(request, texts.fields)}</h2><dl class="fields">${rows.map((name) => {
    const field = fields.get(name);
    const label = field ? field.label[language] : (workflowLabels[name]?.[language] ?? name);
    return html`<dt>${label}</dt><dd>${shownValue(request, field, view.fields[name])}</dd>`;
  })}</dl></section>
<section class="card"><h2>${say(request, texts.signature)}</h2><p>${
    view.signature
      ? say(request, words.signedBy, {
          signer: view.signature.signer,
          at: showTime(view.signature.signedAt),
          validity: say(request, view.signature.valid ? texts.signatureValid : words.signatureInvalid),
        })
      : say(request, words.notSigned)
  }</p></section>
<section class="card"><h2>${say(request, texts.history)}</h2><div class="table-wrap"><table>
<thead><tr><th>${say(request, texts.when)}</th><th>${say(request, texts.what)}</th><th>${say(request, texts.who)}</th><th>${say(request, texts.workstation)}</th></tr></thead>
<tbody>${history.map(
    (event) =>
      html`<tr><td>${showTime(event.at)}</td><td>${words.events[event.kind]?.[language] ?? event.kind}${event.detail ? html` <span class="muted">${event.kind === 'printed' ? printedText(ctx, request, event.detail) : detailText(event.detail)}</span>` : ''}</td><td>${event.user ?? ''}</td><td>${event.workstation ?? ''}</td></tr>`,
  )}</tbody></table></div></section>`;
  return ctx.web.sendPage(request, reply, {
    title: `${view.ref} — ${view.title}`,
    body,
    ...(refusal ? { status: 409 } : {}),
  });
}

export function registerRecordPage(ctx: PageContext): void {
  const { web, kit } = ctx;
  const refOf = (request: FastifyRequest, text: string): RecordRef => {
    actorOf(ctx, request);
    const ref = kit.records.parseRef(text);
    if (!ref) throw new WebKitError('not-found', 'no such record');
    return ref;
  };
  web.fastify.get<{ Params: { ref: string } }>('/records/:ref', (request, reply) =>
    sendRecord(ctx, request, reply, refOf(request, request.params.ref)),
  );

  /** Runs one workflow action through the kit: a refusal it can explain is shown on the record's page. */
  const action = (
    name: 'verify' | 'validate' | 'cancel',
    run: (request: FastifyRequest, ref: RecordRef) => Promise<Record<string, string>>,
  ) =>
    web.fastify.post<{ Params: { ref: string } }>(`/records/:ref/${name}`, async (request, reply) => {
      const ref = refOf(request, request.params.ref);
      try {
        const params = await run(request, ref);
        const notice = name === 'verify' ? 'verified' : name === 'validate' ? 'validated' : 'cancelled';
        return web.redirect(reply, noticeUrl(`/records/${ref.ref}`, notice, { ref: ref.ref, ...params }));
      } catch (error) {
        if (!SiteKitError.isInstance(error)) throw error;
        return sendRecord(ctx, request, reply, ref, refusalText(request, error));
      }
    });
  web.fastify.post<{ Params: { ref: string } }>('/records/:ref/print', (request, reply) => {
    const ref = refOf(request, request.params.ref);
    return printRecord(ctx, request, reply, ref, (message) => sendRecord(ctx, request, reply, ref, message));
  });
  action('verify', async (request, ref) => {
    await kit.records.verify(actorOf(ctx, request), ref);
    return {};
  });
  action('validate', async (request, ref) => {
    const actor = actorOf(ctx, request);
    const password = formValue(request.body, 'password');
    // Privilege first: a user who may not validate is refused without a password check to count.
    if (!kit.allows(actor, ref.type, 'validate')) {
      rethrowKitRefusal(request, new SiteKitError('forbidden', { login: actor.login, action: 'validate' }));
    }
    // The password is checked as at a login (a wrong one counts toward the lockout) before it is
    // used on the signing key: the kit makes a head's first key under whatever password it is given.
    await kit.users.authenticate(actor.login, password, { workstation: request.web.workstation });
    const result = await kit.records.validate(actor, password, ref);
    return { niu: result.niu };
  });
  action('cancel', async (request, ref) => {
    const reason = formValue(request.body, 'reason').trim().slice(0, 200);
    await kit.records.cancel(actorOf(ctx, request), ref, reason || undefined);
    return {};
  });
}
