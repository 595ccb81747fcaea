import { type Privilege, type SiteKit, SiteKitError } from '@xmcomm/site-kit';
import { csrfInput, formValue, type Html, html, WebKitError } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  actorOf,
  languageOf,
  type PageContext,
  refusalText,
  rethrowKitRefusal,
  say,
  showTime,
} from '../context.js';
import { noticeOf, noticeUrl } from '../notices.js';
import { texts } from '../texts.js';

const privileges: readonly Privilege[] = [1, 2, 3, 0];

function privilegeSelect(kit: SiteKit, request: FastifyRequest, id: string, selected?: number): Html {
  const language = languageOf(request);
  return html`<select id="${id}" name="privilege">${privileges.map(
    (level) =>
      html`<option value="${level}"${selected === level ? html` selected` : ''}>${level} · ${kit.roleNames[level][language]}</option>`,
  )}</select>`;
}

async function sendUsers(ctx: PageContext, request: FastifyRequest, reply: FastifyReply, refusal?: string) {
  const actor = actorOf(ctx, request);
  let users: Awaited<ReturnType<typeof ctx.kit.users.list>>;
  try {
    users = await ctx.kit.users.list(actor);
  } catch (error) {
    rethrowKitRefusal(request, error);
    throw error;
  }
  const language = languageOf(request);
  const token = csrfInput(request.web.csrfToken);
  const now = Date.now();
  const body = html`${noticeOf(request, ctx.words())}
${refusal ? html`<p class="error-message" role="alert">${refusal}</p>` : ''}
<div class="table-wrap"><table class="stacked">
<thead><tr><th>${say(request, texts.user)}</th><th>${say(request, texts.privilege)}</th><th>${say(request, texts.lockedUntil)}</th><th>${say(request, texts.actions)}</th></tr></thead>
<tbody>${users.map((user) => {
    const base = `/users/${encodeURIComponent(user.login)}`;
    const locked = user.lockedUntil && user.lockedUntil.getTime() > now;
    return html`<tr><td data-label="${say(request, texts.user)}"><strong>${user.login}</strong>${user.displayName ? html`<br><span class="muted">${user.displayName}</span>` : ''}</td>
<td data-label="${say(request, texts.privilege)}">${user.privilege} · ${ctx.kit.roleNames[user.privilege][language]}</td>
${locked ? html`<td data-label="${say(request, texts.lockedUntil)}">${showTime(user.lockedUntil)}</td>` : html`<td></td>`}
<td data-label="${say(request, texts.actions)}"><div class="row-actions">
<form method="post" action="${base}/privilege">${token}<label class="sr-only" for="p-${user.login}">${say(request, texts.privilege)}</label>${privilegeSelect(ctx.kit, request, `p-${user.login}`, user.privilege)} <button type="submit" class="secondary">${say(request, texts.setPrivilege)}</button></form>
${user.privilege > 0 ? html`<form method="post" action="${base}/suspend">${token}<button type="submit" class="secondary">${say(request, texts.suspend)}</button></form>` : ''}
<form method="post" action="${base}/password">${token}<label class="sr-only" for="pw-${user.login}">${say(request, texts.newPassword)}</label><input id="pw-${user.login}" name="password" type="password" autocomplete="new-password" placeholder="${say(request, texts.newPassword)}" required maxlength="200""> <button type="submit" class="secondary">${say(request, texts.resetPassword)}</button></form>
${locked ? html`<form method="post" action="${base}/unlock">${token}<button type="submit">${say(request, texts.unlock)}</button></form>` : ''}
</div></td></tr>`;
  })}</tbody></table></div>
<section class="card"><h2>${say(request, texts.addUser)}</h2>
<form method="post" action="/users" class="field-grid">${token}
<div class="field"><label for="new-login">${say(request, texts.loginName)}</label><input id="new-login" name="login" required maxlength="64" autocomplete="off"></div>
<div class="field"><label for="new-name">${say(request, texts.displayName)}</label><input id="new-name" name="displayName" maxlength="150"></div>
<div class="field"><label for="new-privilege">${say(request, texts.privilege)}</label>${privilegeSelect(ctx.kit, request, 'new-privilege', 1)}</div>
<div class="field"><label for="new-password">${say(request, texts.password)}</label><input id="new-password" name="password" type="password" required maxlength="200" autocomplete="new-password"></div>
<div class="actions"><button type="submit">${say(request, texts.add)}</button></div>
</form></section>`;
  return ctx.web.sendPage(request, reply, {
    title: say(request, texts.users),
    body,
    ...(refusal ? { status: 409 } : {}),
  });
}

const privilegeOf = (body: unknown): Privilege => {
  const value = formValue(body, 'privilege');
  if (!/^[0-3]$/.test(value)) throw new WebKitError('bad-request', 'bad privilege');
  return Number(value) as Privilege;
};

export function registerUsersPage(ctx: PageContext): void {
  const { web, kit } = ctx;
  web.fastify.get('/users', (request, reply) => sendUsers(ctx, request, reply));

  /** Runs one change through the kit (which checks the head's privilege); shows its refusal on the page. */
  const change = async (
    request: FastifyRequest,
    reply: FastifyReply,
    run: () => Promise<unknown>,
    done: { key: 'user-added' | 'user-changed'; login: string },
  ) => {
    try {
      await run();
    } catch (error) {
      if (!SiteKitError.isInstance(error)) throw error;
      return sendUsers(ctx, request, reply, refusalText(request, error));
    }
    return web.redirect(reply, noticeUrl('/users', done.key, { login: done.login }));
  };

  web.fastify.post('/users', (request, reply) => {
    const actor = actorOf(ctx, request);
    const login = formValue(request.body, 'login').trim();
    const displayName = formValue(request.body, 'displayName').trim();
    return change(
      request,
      reply,
      () =>
        kit.users.add(actor, {
          login,
          privilege: privilegeOf(request.body),
          password: formValue(request.body, 'password'),
          ...(displayName ? { displayName } : {}),
        }),
      { key: 'user-added', login },
    );
  });

  type Params = { Params: { login: string } };
  web.fastify.post<Params>('/users/:login/privilege', (request, reply) => {
    const actor = actorOf(ctx, request);
    const { login } = request.params;
    return change(request, reply, () => kit.users.setPrivilege(actor, login, privilegeOf(request.body)), {
      key: 'user-changed',
      login,
    });
  });
  web.fastify.post<Params>('/users/:login/suspend', (request, reply) => {
    const actor = actorOf(ctx, request);
    const { login } = request.params;
    return change(request, reply, () => kit.users.suspend(actor, login), { key: 'user-changed', login });
  });
  web.fastify.post<Params>('/users/:login/password', (request, reply) => {
    const actor = actorOf(ctx, request);
    const { login } = request.params;
    return change(
      request,
      reply,
      () => kit.users.resetPassword(actor, login, formValue(request.body, 'password')),
      {
        key: 'user-changed',
        login,
      },
    );
  });
  web.fastify.post<Params>('/users/:login/unlock', (request, reply) => {
    const actor = actorOf(ctx, request);
    const { login } = request.params;
    return change(request, reply, () => kit.users.unlock(actor, login), { key: 'user-changed', login });
  });
}
