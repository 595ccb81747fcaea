import { type RecordRef, type RecordView, SiteKitError } from '@xmcomm/site-kit';
import { csrfInput, formValue, type Html, html, type Text } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, languageOf, type PageContext, rethrowKitRefusal, say } from '../context.js';

// The Print button of a validated record: the site app's own print function (the one its CLI
// calls) issues, records and charges the document; this page only asks which one and sends the PDF.

const printTexts = {
  print: { en: 'Print', fr: 'Imprimer' },
  printTitle: { en: 'Print a document', fr: 'Imprimer un document' },
  printKind: { en: 'Document', fr: 'Document' },
  printLanguage: { en: 'Language of dates and values', fr: 'Langue des dates et des valeurs' },
  printHint: {
    en: 'Each document printed is recorded and charged to the centre.',
    fr: 'Chaque document imprimé est enregistré et facturé au centre.',
  },
  french: { en: 'French', fr: 'Français' },
  english: { en: 'English', fr: 'Anglais' },
} as const;

/** What the site app gives the workstation to print with. */
export interface PrintHooks {
  /** The documents it prints, in the order the choice lists them: `copy` "Full copy", ... */
  readonly kinds: readonly { readonly kind: string; readonly label: Text }[];
  /** The record types it prints (by name); default every type. */
  readonly types?: readonly string[];
  /**
   * Prints one document of a validated record for `user` and records it (the app's own function,
   * the one its CLI calls); a refusal it can explain comes back as words for the record's page.
   */
  readonly print: (
    user: { readonly id: number; readonly login: string; readonly privilege: 0 | 1 | 2 | 3 },
    ref: RecordRef,
    choice: { readonly kind: string; readonly language: 'fr' | 'en' },
  ) => Promise<
    | { readonly ok: true; readonly pdf: Uint8Array; readonly fileName: string }
    | { readonly ok: false; readonly message: Text }
  >;
}

const printable = (ctx: PageContext, type: string) =>
  ctx.print !== undefined && (ctx.print.types === undefined || ctx.print.types.includes(type));

/** The print form on a record's page, when the record is validated and the user may print. */
export function printAction(ctx: PageContext, request: FastifyRequest, view: RecordView): Html | undefined {
  const hooks = ctx.print;
  const type = view.type;
  if (!hooks || !printable(ctx, type) || view.status < 2 || view.niu === null) return undefined;
  if (!ctx.kit.allows(actorOf(ctx, request), type, 'print')) return undefined;
  const language = languageOf(request);
  return html`<form method="post" action="/records/${view.ref}/print" class="card action-card print-form">${csrfInput(request.web.csrfToken)}
<h3>${say(request, printTexts.printTitle)}</h3>
<div class="field"><label for="print-kind">${say(request, printTexts.printKind)}</label>
<select id="print-kind" name="kind">${hooks.kinds.map((k) => html`<option value="${k.kind}">${k.label[language]}</option>`)}</select></div>
<div class="field"><label for="print-language">${say(request, printTexts.printLanguage)}</label>
<select id="print-language" name="language"><option value="fr"${language === 'fr' ? ' selected' : ''}>${say(request, printTexts.french)}</option><option value="en"${language === 'en' ? ' selected' : ''}>${say(request, printTexts.english)}</option></select></div>
<p class="muted">${say(request, printTexts.printHint)}</p>
<button type="submit">${say(request, printTexts.print)}</button></form>`;
}

/**
 * POST /records/:ref/print: privilege first (a forged POST is a 403), then the app's print. The PDF
 * comes back as an attachment; a refusal is shown on the record's page by `showRefusal`.
 */
export async function printRecord(
  ctx: PageContext,
  request: FastifyRequest,
  reply: FastifyReply,
  ref: RecordRef,
  showRefusal: (message: string) => Promise<unknown>,
): Promise<unknown> {
  const actor = actorOf(ctx, request);
  if (!printable(ctx, ref.type) || !ctx.kit.allows(actor, ref.type, 'print')) {
    rethrowKitRefusal(request, new SiteKitError('forbidden', { login: actor.login, action: 'print' }));
  }
  const hooks = ctx.print as PrintHooks;
  const kind = formValue(request.body, 'kind');
  const language = formValue(request.body, 'language');
  if (!hooks.kinds.some((k) => k.kind === kind) || (language !== 'fr' && language !== 'en')) {
    return showRefusal(
      say(request, {
        en: 'Choose a document and a language from the lists.',
        fr: 'Choisissez un document et une langue dans les listes.',
      }),
    );
  }
  const result = await hooks.print(actor, ref, { kind, language });
  if (!result.ok) return showRefusal(result.message[languageOf(request)]);
  const fileName = result.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(Buffer.from(result.pdf));
}
