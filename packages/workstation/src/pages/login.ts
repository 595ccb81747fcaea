import { SiteKitError } from '@xmcomm/site-kit';
import { csrfInput, formValue, html, localPath } from '@xmcomm/web-kit';
import type { FastifyRequest } from 'fastify';
import { actorOf, languageOf, type PageContext, say, showTime } from '../context.js';
import { noticeUrl } from '../notices.js';
import { texts } from '../texts.js';

function loginForm(request: FastifyRequest, options: { login?: string; error?: string; next?: string } = {}) {
  const next = localPath(options.next ?? (request.query as Record<string, unknown>).next);
  // After a refusal the name is kept: the cursor waits in the password, which is retyped.
  const retry = Boolean(options.error && options.login);
  return html`<form method="post" action="/login" class="card narrow">
${csrfInput(request.web.csrfToken)}
<input type="hidden" name="next" value="${next}">
${options.error ? html`<p class="error-message" role="alert" id="login-error">${options.error}</p>` : ''}
<div class="field"><label for="login">${say(request, texts.loginName)}</label>
<input id="login" name="login" autocomplete="username" required maxlength="64"${retry ? '' : html` autofocus`} value="${options.login ?? ''}"${options.error ? html` aria-describedby="login-error"` : ''}></div>
<div class="field"><label for="password">${say(request, texts.password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200"${retry ? html` autofocus` : ''}></div>
<div class="actions"><button type="submit">${say(request, texts.loginButton)}</button></div>
<p class="muted">${say(request, texts.loginHelp)}</p>
</form>`;
}

export function registerLoginPages(ctx: PageContext): void {
  const { web, kit } = ctx;
  web.fastify.get('/login', (request, reply) => {
    if (request.web.user) return web.redirect(reply, '/');
    return web.sendPage(request, reply, { title: say(request, texts.loginTitle), body: loginForm(request) });
  });

  web.fastify.post('/login', async (request, reply) => {
    const login = formValue(request.body, 'login').trim().slice(0, 64);
    const password = formValue(request.body, 'password').slice(0, 200);
    const next = localPath(formValue(request.body, 'next'));
    try {
      const user = await kit.users.authenticate(login, password, { workstation: request.web.workstation });
      await web.logIn(request, reply, {
        id: user.id,
        login: user.login,
        privilege: user.privilege,
        displayName: null,
        mustChangePassword: user.mustChangePassword,
      });
      request.log.info(
        { event: 'login', user: user.login, workstation: request.web.workstation },
        'logged in',
      );
      return web.redirect(reply, user.mustChangePassword ? '/password' : next === '/login' ? '/' : next);
    } catch (error) {
      if (!SiteKitError.isInstance(error)) throw error;
      request.log.warn(
        { event: 'login-refused', login, code: error.code, workstation: request.web.workstation },
        'login refused',
      );
      return web.sendPage(request, reply, {
        title: say(request, texts.loginTitle),
        body: loginForm(request, {
          login,
          // The lock's end in the workstation's local time, not the kit's ISO timestamp.
          error:
            error.code === 'account-locked' && typeof error.params.until === 'string'
              ? say(request, texts.accountLocked, { until: showTime(error.params.until) })
              : error.messageIn(languageOf(request)),
          next,
        }),
        status: error.code === 'account-locked' ? 423 : 401,
      });
    }
  });

  web.fastify.post('/logout', async (request, reply) => {
    await web.logOut(request, reply);
    return web.redirect(reply, '/login');
  });

  const passwordForm = (request: FastifyRequest, error?: string) => {
    const user = web.requireUser(request);
    return html`${user.mustChangePassword ? html`<p class="notice warn" role="status">${say(request, texts.mustChangePassword)}</p>` : ''}
<form method="post" action="/password" class="card narrow">
${csrfInput(request.web.csrfToken)}
${error ? html`<p class="error-message" role="alert">${error}</p>` : ''}
<div class="field"><label for="old">${say(request, texts.currentPassword)}</label>
<input id="old" name="old" type="password" autocomplete="current-password" required maxlength="200"></div>
<div class="field"><label for="new">${say(request, texts.newPassword)}</label>
<input id="new" name="new" type="password" autocomplete="new-password" required maxlength="200"></div>
<div class="actions"><button type="submit">${say(request, texts.changePassword)}</button></div>
</form>`;
  };
  web.fastify.get('/password', (request, reply) =>
    web.sendPage(request, reply, { title: say(request, texts.myPassword), body: passwordForm(request) }),
  );
  web.fastify.post('/password', async (request, reply) => {
    const actor = actorOf(ctx, request);
    try {
      await kit.users.changeOwnPassword(
        actor,
        formValue(request.body, 'old'),
        formValue(request.body, 'new'),
      );
    } catch (error) {
      if (!SiteKitError.isInstance(error)) throw error;
      return web.sendPage(request, reply, {
        title: say(request, texts.myPassword),
        body: passwordForm(request, error.messageIn(languageOf(request))),
        status: 400,
      });
    }
    return web.redirect(reply, noticeUrl('/', 'password-changed'));
  });
}
