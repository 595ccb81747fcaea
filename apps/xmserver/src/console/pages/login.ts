import { csrfInput, formValue, type Html, html, localPath } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { writeAudit } from '../../audit.js';
import { XmServerError } from '../../errors.js';
import { describeError } from '../../messages.js';
import { changeOwnPassword, openSession, verifyOperator } from '../../operator-auth.js';
import type { ConsoleContext } from '../app.js';
import { ct } from '../texts.js';

interface LoginForm {
  readonly login?: string;
  readonly next?: string;
  readonly error?: string;
  readonly mustChange?: boolean;
  readonly newPasswordError?: string;
}

export function registerLogin(c: ConsoleContext): void {
  const { web, db } = c;

  function page(request: FastifyRequest, reply: FastifyReply, form: LoginForm, status = 200) {
    const t = (text: Parameters<typeof c.t>[1]) => c.t(request, text);
    const body: Html = html`<form method="post" action="/login" class="card narrow">
${csrfInput(request.web.csrfToken)}
<input type="hidden" name="next" value="${localPath(form.next)}">
${form.error ? html`<p class="notice warn" role="alert" id="login-error">${form.error}</p>` : ''}
${form.mustChange ? html`<p class="notice">${t(ct.mustChange)}</p>` : ''}
<div class="field"><label for="f-login">${t(ct.login)}</label>
<input id="f-login" name="login" autocomplete="username" required autofocus value="${form.login ?? ''}"></div>
<div class="field"><label for="f-password">${t(ct.password)}</label>
<input id="f-password" name="password" type="password" autocomplete="current-password" required></div>
${
  form.mustChange
    ? html`<div class="field"><label for="f-new">${t(ct.newPassword)}</label>
<input id="f-new" name="new_password" type="password" autocomplete="new-password" required minlength="8"${form.newPasswordError ? html` aria-invalid="true" aria-describedby="f-new-error"` : ''}>
${form.newPasswordError ? html`<span class="field-error" id="f-new-error">${form.newPasswordError}</span>` : ''}</div>`
    : ''
}
<p><button type="submit" class="button">${t(ct.logInButton)}</button></p>
</form>`;
    return web.sendPage(request, reply, { title: t(ct.loginTitle), body, status });
  }

  web.fastify.get<{ Querystring: { next?: string } }>('/login', (request, reply) => {
    if (request.web.user) return web.redirect(reply, localPath(request.query.next));
    return page(request, reply, { next: request.query.next ?? '/' });
  });

  web.fastify.post('/login', async (request, reply) => {
    const login = formValue(request.body, 'login').trim();
    const password = formValue(request.body, 'password');
    const newPassword = formValue(request.body, 'new_password');
    const next = localPath(formValue(request.body, 'next'));
    const policy = c.options.authPolicy;
    const now = c.options.now;
    const language = c.lang(request);
    try {
      let operator = await verifyOperator(db, login, password, { now, policy });
      if (operator.mustChangePassword && operator.privilege > 0 && newPassword !== '') {
        operator = await changeOwnPassword(db, operator, password, newPassword);
      }
      const opened = await openSession(db, operator, { origin: `console ${request.ip}`, now, policy });
      await web.adoptSession(request, reply, opened.token);
      return web.redirect(reply, next);
    } catch (error) {
      if (!XmServerError.isInstance(error)) throw error;
      const form = { login, next };
      switch (error.code) {
        case 'authentication-failed':
          return page(request, reply, { ...form, error: c.t(request, ct.badLogin) }, 401);
        case 'account-locked':
          return page(
            request,
            reply,
            {
              ...form,
              error: c.t(request, ct.locked, {
                until: String(error.params.until).slice(0, 16).replace('T', ' '),
              }),
            },
            423,
          );
        case 'operator-suspended':
          return page(request, reply, { ...form, error: c.t(request, ct.suspended) }, 403);
        case 'password-change-required':
          return page(request, reply, { ...form, mustChange: true });
        case 'password-too-short':
        case 'password-unchanged':
          return page(
            request,
            reply,
            {
              ...form,
              mustChange: true,
              newPasswordError: describeError(error.code, error.params, language),
            },
            400,
          );
        default:
          throw error;
      }
    }
  });

  web.fastify.post('/logout', async (request, reply) => {
    const user = request.web.user;
    if (user) {
      await writeAudit(db, {
        operator: user.login,
        action: 'auth.logout',
        target: user.login,
        details: { session: request.web.session?.id ?? null, origin: 'console' },
      });
    }
    await web.logOut(request, reply);
    return web.redirect(reply, '/login');
  });
}
