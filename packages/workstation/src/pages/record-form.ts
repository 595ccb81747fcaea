import { type RecordRef, type RecordType, type SessionUser, SiteKitError } from '@xmcomm/site-kit';
import {
  csrfInput,
  type FieldProblem,
  type FormField,
  type Html,
  html,
  inputValue,
  problemsByField,
  readForm,
  renderFields,
  WebKitError,
  webTexts,
} from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, languageOf, type PageContext, refusalText, rethrowKitRefusal, say } from '../context.js';
import { noticeUrl } from '../notices.js';
import { texts } from '../texts.js';

const humanise = (column: string) => {
  const words = column.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** The form's fields, from the record type's declaration and its contract table. */
export function formFieldsOf(ctx: PageContext, type: RecordType): FormField[] {
  const columns = type.table.columns as Readonly<Record<string, FormField['spec']>>;
  return type.formFields.map((name) => {
    const spec = columns[name] as FormField['spec'];
    const declared = type.fields?.[name];
    const label = declared?.label ?? spec.label ?? { en: humanise(name), fr: humanise(name) };
    const bounds = spec.type === 'date' ? ctx.dateBounds(type.name, name) : {};
    return {
      name,
      spec,
      label,
      ...(declared?.help ? { help: declared.help } : {}),
      ...(declared?.values ? { values: declared.values } : {}),
      ...bounds,
    };
  });
}

/** Form problems first (what the browser sent), then the kit's (contract and domain rules), one per field. */
function mergeProblems(form: readonly FieldProblem[], kit: readonly FieldProblem[]): FieldProblem[] {
  const seen = new Set(form.map((p) => p.field));
  return [...form, ...kit.filter((p) => !seen.has(p.field))];
}

interface FormPage {
  readonly type: RecordType;
  readonly action: string;
  readonly submit: string;
  readonly values: Readonly<Record<string, string>>;
  readonly problems?: readonly FieldProblem[];
  readonly notice?: Html;
  readonly unfinishedId?: number;
  readonly status?: number;
  readonly title: string;
}

function sendForm(ctx: PageContext, request: FastifyRequest, reply: FastifyReply, page: FormPage) {
  const language = languageOf(request);
  const fields = formFieldsOf(ctx, page.type);
  const errors = problemsByField(page.problems ?? [], language);
  const hasErrors = Object.keys(errors).length > 0;
  const body = html`${page.notice ?? ''}
${hasErrors ? html`<p class="error-message" role="alert">${say(request, webTexts.formHasErrors)}</p>` : ''}
<p class="muted">${say(request, texts.requiredNote)}</p>
<form method="post" action="${page.action}" novalidate>
${csrfInput(request.web.csrfToken)}
${page.unfinishedId ? html`<input type="hidden" name="_unfinished" value="${page.unfinishedId}">` : ''}
<div class="field-grid">${renderFields(fields, page.values, errors, language)}</div>
<div class="actions"><button type="submit">${page.submit}</button></div>
</form>
${
  page.unfinishedId
    ? html`<form method="post" action="/unfinished/${page.unfinishedId}/discard" class="actions">${csrfInput(request.web.csrfToken)}<button type="submit" class="secondary">${say(request, texts.discard)}</button></form>`
    : ''
}`;
  return ctx.web.sendPage(request, reply, {
    title: page.title,
    body,
    status: page.status ?? (hasErrors ? 422 : 200),
  });
}

/** Reads a posted record form: its typed values, what was typed, and every problem (form and kit). */
async function checkPosted(ctx: PageContext, type: RecordType, body: unknown) {
  const fields = formFieldsOf(ctx, type);
  const read = readForm(fields, body);
  const checked = await ctx.kit.records.check(type.name, read.values);
  const kitProblems = Array.isArray(checked) ? checked : [];
  return { ...read, problems: mergeProblems(read.problems, kitProblems) };
}

export function registerRecordForms(ctx: PageContext): void {
  const { web, kit } = ctx;
  const typeOf = (name: string) => {
    try {
      return kit.recordType(name);
    } catch (error) {
      throw new WebKitError('not-found', 'no such record type', { cause: error });
    }
  };
  const requireDraft = (request: FastifyRequest, actor: SessionUser, type: RecordType) => {
    if (!kit.allows(actor, type.name, 'draft')) {
      rethrowKitRefusal(request, new SiteKitError('forbidden', { login: actor.login }));
    }
  };

  web.fastify.get('/records/new', (request, reply) => {
    const actor = actorOf(ctx, request);
    const language = languageOf(request);
    const types = kit.recordTypes.filter((type) => kit.allows(actor, type.name, 'draft'));
    const body = html`<p>${say(request, ctx.words().chooseType)}</p><div class="actions">${types.map(
      (type) => html`<a class="button" href="/records/new/${type.name}">${type.label[language]}</a>`,
    )}</div>`;
    return web.sendPage(request, reply, { title: say(request, ctx.words().newRecord), body });
  });

  web.fastify.get<{ Params: { type: string } }>('/records/new/:type', (request, reply) => {
    const actor = actorOf(ctx, request);
    const type = typeOf(request.params.type);
    requireDraft(request, actor, type);
    return sendForm(ctx, request, reply, {
      type,
      action: `/records/new/${type.name}`,
      submit: say(request, texts.saveDraft),
      values: {},
      title: `${say(request, ctx.words(type.name).newRecord)} — ${type.label[languageOf(request)]}`,
    });
  });

  /** Drafts the record, or keeps an incomplete form as unfinished and shows its problems. */
  const postNew = async (
    request: FastifyRequest,
    reply: FastifyReply,
    type: RecordType,
    unfinishedId?: number,
  ) => {
    const actor = actorOf(ctx, request);
    requireDraft(request, actor, type);
    const { values, entered, problems } = await checkPosted(ctx, type, request.body);
    const title = `${say(request, ctx.words(type.name).newRecord)} — ${type.label[languageOf(request)]}`;
    if (problems.length === 0) {
      try {
        const ref: RecordRef =
          unfinishedId === undefined
            ? await kit.records.draft(actor, type.name, values)
            : await kit.unfinished.complete(actor, unfinishedId, values);
        return web.redirect(reply, noticeUrl(`/records/${ref.ref}`, 'drafted', { ref: ref.ref }));
      } catch (error) {
        rethrowKitRefusal(request, error);
        if (!(SiteKitError.isInstance(error) && error.fieldErrors.length > 0)) throw error;
        problems.push(...error.fieldErrors);
      }
    }
    const kept = await kit.unfinished.save(actor, type.name, entered, unfinishedId);
    return sendForm(ctx, request, reply, {
      type,
      action: `/unfinished/${kept.id}`,
      submit: say(request, texts.saveDraft),
      values: entered,
      problems,
      unfinishedId: kept.id,
      notice: html`<p class="notice warn" role="status">${say(request, texts.keptUnfinished, { id: `U${kept.id}` })}</p>`,
      title,
    });
  };

  web.fastify.post<{ Params: { type: string } }>('/records/new/:type', (request, reply) =>
    postNew(request, reply, typeOf(request.params.type)),
  );

  const unfinishedOf = async (request: FastifyRequest, id: string) => {
    const actor = actorOf(ctx, request);
    if (!/^\d{1,9}$/.test(id))
      rethrowKitRefusal(request, new SiteKitError('not-found', { what: 'form', whatFr: 'formulaire', id }));
    try {
      return await kit.unfinished.open(actor, Number(id));
    } catch (error) {
      rethrowKitRefusal(request, error);
      throw error;
    }
  };

  web.fastify.get<{ Params: { id: string } }>('/unfinished/:id', async (request, reply) => {
    const form = await unfinishedOf(request, request.params.id);
    const type = typeOf(form.type);
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(form.fields)) values[key] = value === null ? '' : String(value);
    return sendForm(ctx, request, reply, {
      type,
      action: `/unfinished/${form.id}`,
      submit: say(request, texts.saveDraft),
      values,
      problems: form.problems,
      unfinishedId: form.id,
      status: 200,
      title: `U${form.id} — ${type.label[languageOf(request)]}`,
    });
  });

  web.fastify.post<{ Params: { id: string } }>('/unfinished/:id', async (request, reply) => {
    const form = await unfinishedOf(request, request.params.id);
    return postNew(request, reply, typeOf(form.type), form.id);
  });

  web.fastify.post<{ Params: { id: string } }>('/unfinished/:id/discard', async (request, reply) => {
    const form = await unfinishedOf(request, request.params.id);
    await kit.unfinished.discard(actorOf(ctx, request), form.id);
    return web.redirect(reply, noticeUrl('/', 'discarded'));
  });

  const recordOf = async (request: FastifyRequest, text: string) => {
    try {
      const ref = kit.records.parseRef(text);
      if (!ref)
        throw new SiteKitError('not-found', { what: 'record', whatFr: 'fiche', id: text.slice(0, 40) });
      return { ref, view: await kit.records.get(actorOf(ctx, request), ref) };
    } catch (error) {
      rethrowKitRefusal(request, error);
      throw error;
    }
  };

  web.fastify.get<{ Params: { ref: string } }>('/records/:ref/edit', async (request, reply) => {
    const { ref, view } = await recordOf(request, request.params.ref);
    const type = typeOf(ref.type);
    const columns = type.table.columns as Readonly<Record<string, FormField['spec']>>;
    const values: Record<string, string> = {};
    for (const name of type.formFields)
      values[name] = inputValue(columns[name] as FormField['spec'], view.fields[name]);
    return sendForm(ctx, request, reply, {
      type,
      action: `/records/${ref.ref}/edit`,
      submit: say(request, texts.saveChanges),
      values,
      title: `${say(request, texts.edit)} ${ref.ref} — ${view.title}`,
    });
  });

  web.fastify.post<{ Params: { ref: string } }>('/records/:ref/edit', async (request, reply) => {
    const { ref, view } = await recordOf(request, request.params.ref);
    const type = typeOf(ref.type);
    const actor = actorOf(ctx, request);
    const { values, entered, problems } = await checkPosted(ctx, type, request.body);
    let refusal: string | undefined;
    if (problems.length === 0) {
      try {
        await kit.records.edit(actor, ref, values);
        return web.redirect(reply, noticeUrl(`/records/${ref.ref}`, 'edited', { ref: ref.ref }));
      } catch (error) {
        if (SiteKitError.isInstance(error) && error.fieldErrors.length > 0)
          problems.push(...error.fieldErrors);
        else refusal = refusalText(request, error);
      }
    }
    return sendForm(ctx, request, reply, {
      type,
      action: `/records/${ref.ref}/edit`,
      submit: say(request, texts.saveChanges),
      values: entered,
      problems,
      ...(refusal ? { notice: html`<p class="error-message" role="alert">${refusal}</p>`, status: 409 } : {}),
      title: `${say(request, texts.edit)} ${ref.ref} — ${view.title}`,
    });
  });
}
