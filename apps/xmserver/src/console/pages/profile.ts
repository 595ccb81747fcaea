import { csrfInput, formValue, html, type Text } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Client } from '../../clients.js';
import { alertOf, type ConsoleContext, type ConsoleUser, problemOf } from '../app.js';
import { input } from '../fields.js';
import { ct, listLabel } from '../texts.js';
import { rt } from '../texts-reports.js';
import { findClient } from './client.js';

type Params = { Params: { matricule: string } };
type Done = { Querystring: { done?: string; bytes?: string } };

/** What `client profile` tells a site of itself, and that `client update` changes (status has its own form). */
const profileFields = ['name', 'domain', 'region', 'locality'] as const;
type ProfileField = (typeof profileFields)[number];
type Values = Partial<Record<ProfileField, string>>;

const optionOf: Record<ProfileField, string> = {
  name: '--name',
  domain: '--domain',
  region: '--region',
  locality: '--locality',
};

/**
 * A client's profile: the register's name, status, domain, region and locality, which `client
 * profile` sends to the site. Changing them is `client update`; sending them is `client profile`
 * (both operator commands, run as the logged-in operator). A read-only user sees the profile only.
 */
export function registerProfile(c: ConsoleContext): void {
  const { web } = c;

  async function page(
    request: FastifyRequest<Params & Done>,
    reply: FastifyReply,
    user: ConsoleUser,
    form: {
      values?: Values;
      errors?: Partial<Record<ProfileField, string>>;
      alert?: string;
      sendAlert?: string;
    } = {},
  ) {
    const lang = c.lang(request);
    const t = (text: Text, params?: Record<string, string | number>) => c.t(request, text, params);
    const client = await findClient(c, request.params.matricule);
    const m = encodeURIComponent(client.matricule);
    const token = request.web.csrfToken;
    const values: Values = form.values ?? {
      name: client.name,
      domain: client.domain ?? '',
      region: client.region ?? '',
      locality: client.locality ?? '',
    };
    const done = request.query.done;
    const notice =
      done === 'sent'
        ? t(rt.profileSent, { matricule: client.matricule, bytes: request.query.bytes ?? '' })
        : done === 'saved'
          ? t(rt.profileSaved)
          : undefined;
    const canAct = user.privilege >= 2;
    const labels: Record<ProfileField, Text> = {
      name: ct.name,
      domain: ct.domain,
      region: ct.region,
      locality: ct.city,
    };
    const body = html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p><a href="/clients/${m}">← ${client.matricule} · ${client.name}</a></p>
<p class="muted">${t(rt.profileNote)}</p>
<section class="card" aria-labelledby="h-profile"><h2 id="h-profile">${t(rt.profile)}</h2>
<dl class="fields" data-profile>
<dt>${t(ct.matricule)}</dt><dd>${client.matricule}</dd>
<dt>${t(ct.name)}</dt><dd>${client.name}</dd>
<dt>${t(ct.status)}</dt><dd><span class="badge s${client.status}">${listLabel(ct.statuses, lang, client.status)}</span></dd>
<dt>${t(ct.domain)}</dt><dd>${client.domain ?? ''}</dd>
<dt>${t(ct.region)}</dt><dd>${client.region ?? ''}</dd>
<dt>${t(ct.city)}</dt><dd>${client.locality ?? ''}</dd>
</dl>
${
  canAct
    ? html`<form method="post" action="/clients/${m}/profile/send">${csrfInput(token)}${alertOf(form.sendAlert)}
<p><button type="submit" class="button">${t(rt.sendProfile)}</button></p></form>`
    : ''
}
</section>
${
  canAct
    ? html`<form method="post" action="/clients/${m}/profile" class="card" aria-labelledby="h-change"><h2 id="h-change">${t(ct.edit)}</h2>
${csrfInput(token)}${alertOf(form.alert)}
<div class="field-grid">${profileFields.map((field) =>
        input({
          name: field,
          label: t(labels[field]),
          value: values[field],
          error: form.errors?.[field],
          required: field === 'name',
          maxLength: field === 'name' ? 150 : field === 'domain' ? 40 : 100,
        }),
      )}</div>
<p><button type="submit" class="button">${t(ct.save)}</button> <a href="/clients/${m}#h-status">${t(ct.changeStatus)}</a></p></form>`
    : ''
}`;
    const status = form.errors || form.alert || form.sendAlert ? 400 : 200;
    return web.sendPage(request, reply, {
      title: t(rt.profileOf, { matricule: client.matricule }),
      body,
      status,
    });
  }

  web.fastify.get<Params & Done>('/clients/:matricule/profile', async (request, reply) =>
    page(request, reply, await c.need(request, 1)),
  );

  web.fastify.post<Params & Done>('/clients/:matricule/profile', async (request, reply) => {
    const user = await c.need(request, 2);
    const client: Client = await findClient(c, request.params.matricule);
    const values = Object.fromEntries(
      profileFields.map((f) => [f, formValue(request.body, f).normalize('NFC').trim()]),
    ) as Record<ProfileField, string>;
    const before: Record<ProfileField, string> = {
      name: client.name,
      domain: client.domain ?? '',
      region: client.region ?? '',
      locality: client.locality ?? '',
    };
    // Only what changed goes to `client update`, as on the edit page (the CLI cannot clear a field).
    const changed = profileFields.filter((f) => values[f] !== '' && values[f] !== before[f]);
    const m = encodeURIComponent(client.matricule);
    if (changed.length === 0) return web.redirect(reply, `/clients/${m}/profile`);
    try {
      await c.act(user, [
        'client',
        'update',
        ...changed.flatMap((f) => [optionOf[f], values[f]]),
        '--',
        client.matricule,
      ]);
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      const field = profileFields.find((f) => f === problem.field);
      return page(request, reply, user, {
        values,
        ...(field ? { errors: { [field]: problem.message } } : { alert: problem.message }),
      });
    }
    return web.redirect(reply, `/clients/${m}/profile?done=saved`);
  });

  web.fastify.post<Params & Done>('/clients/:matricule/profile/send', async (request, reply) => {
    const user = await c.need(request, 2);
    const client = await findClient(c, request.params.matricule);
    let sent: { bytes?: number } | undefined;
    try {
      sent = (await c.act(user, ['client', 'profile', '--', client.matricule])) as { bytes?: number };
    } catch (error) {
      return page(request, reply, user, { sendAlert: problemOf(error, c.lang(request)).message });
    }
    return web.redirect(
      reply,
      `/clients/${encodeURIComponent(client.matricule)}/profile?done=sent&bytes=${sent?.bytes ?? 0}`,
    );
  });
}
