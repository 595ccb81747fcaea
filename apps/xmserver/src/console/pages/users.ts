import { csrfInput, formValue, type Html, html } from '@xmcomm/web-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { listUsers } from '../../users.js';
import { alertOf, type ConsoleContext, problemOf } from '../app.js';
import { input } from '../fields.js';
import { ct, listLabel } from '../texts.js';

type Login = { Params: { login: string } };

export function registerUsers(c: ConsoleContext): void {
  const { web, db } = c;

  async function page(
    request: FastifyRequest,
    reply: FastifyReply,
    problems: { values?: Record<string, string>; errors?: Record<string, string>; alert?: string } = {},
  ) {
    const lang = c.lang(request);
    const t = (text: Parameters<typeof c.t>[1], params?: Record<string, string | number>) =>
      c.t(request, text, params);
    const token = request.web.csrfToken;
    const users = await listUsers(db);
    const privileges = [1, 2, 3].map((p) => [String(p), listLabel(ct.privileges, lang, p - 1)] as const);
    const rows: Html[] = users.map((u) => {
      const l = encodeURIComponent(u.login);
      return html`<tr><td>${u.login}</td><td>${u.displayName ?? ''}</td>
<td>${u.privilege === 0 ? html`<span class="badge s0">${t(ct.suspendedBadge)}</span>` : listLabel(ct.privileges, lang, u.privilege - 1)}${u.lockedUntil ? html` <span class="badge s1">${t(ct.lockedBadge, { until: u.lockedUntil.toISOString().slice(0, 16).replace('T', ' ') })}</span>` : ''}</td>
<td class="row-actions">
<form method="post" action="/users/${l}/privilege">${csrfInput(token)}<label class="sr-only" for="p-${u.id}">${t(ct.privilege)}</label><select id="p-${u.id}" name="privilege" required>${
        // A suspended user has no privilege to show: the operator picks one on purpose to reinstate them.
        u.privilege === 0 ? html`<option value="" selected disabled>${t(ct.reinstateAs)}</option>` : ''
      }${privileges.map(([v, label]) => html`<option value="${v}"${Number(v) === u.privilege ? html` selected` : ''}>${label}</option>`)}</select> <button type="submit" class="button secondary">${t(u.privilege === 0 ? ct.reinstate : ct.setPrivilege)}</button></form>
${u.privilege > 0 ? html`<form method="post" action="/users/${l}/suspend">${csrfInput(token)}<button type="submit" class="button danger">${t(ct.suspend)}</button></form>` : ''}
${u.lockedUntil || u.failedLogins > 0 ? html`<form method="post" action="/users/${l}/unlock">${csrfInput(token)}<button type="submit" class="button secondary">${t(ct.unlock)}</button></form>` : ''}
</td></tr>`;
    });
    const v = problems.values ?? {};
    const e = problems.errors ?? {};
    const body = html`${alertOf(problems.alert)}
<div class="table-wrap"><table><thead><tr><th>${t(ct.login)}</th><th>${t(ct.displayName)}</th><th>${t(ct.privilege)}</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>
<form method="post" action="/users" class="card" aria-labelledby="h-add"><h2 id="h-add">${t(ct.addUser)}</h2>
${csrfInput(token)}
<div class="field-grid">
${input({ name: 'login', label: t(ct.login), value: v.login, error: e.login, required: true, maxLength: 64 })}
${input({ name: 'name', label: t(ct.displayName), value: v.name, error: e.name, maxLength: 100 })}
${input({ name: 'privilege', label: t(ct.privilege), value: v.privilege ?? '1', error: e.privilege, choices: privileges })}
${input({ name: 'password', label: t(ct.newPassword), type: 'password', error: e.password, required: true })}
</div>
<div class="field"><label><input type="checkbox" name="temporary" value="true" checked> ${t(ct.temporary)}</label></div>
<p><button type="submit" class="button">${t(ct.add)}</button></p></form>`;
    const status = problems.alert || Object.keys(e).length > 0 ? 400 : 200;
    return web.sendPage(request, reply, { title: t(ct.users), body, status });
  }

  web.fastify.get('/users', async (request, reply) => {
    await c.need(request, 3);
    return page(request, reply);
  });

  /** Runs a user command; a refusal comes back on the users page. */
  async function run(
    request: FastifyRequest,
    reply: FastifyReply,
    argv: string[],
    env: NodeJS.ProcessEnv = {},
    values: Record<string, string> = {},
  ) {
    const user = await c.need(request, 3);
    try {
      await c.act(user, argv, env);
    } catch (error) {
      const problem = problemOf(error, c.lang(request));
      if (problem.field && problem.field in values)
        return page(request, reply, { values, errors: { [problem.field]: problem.message } });
      return page(request, reply, { values, alert: problem.message });
    }
    return web.redirect(reply, '/users');
  }

  web.fastify.post('/users', async (request, reply) => {
    const values = {
      login: formValue(request.body, 'login').trim(),
      name: formValue(request.body, 'name').trim(),
      privilege: formValue(request.body, 'privilege'),
      password: '',
    };
    const argv = ['user', 'add', '--privilege', values.privilege];
    if (values.name) argv.push('--name', values.name);
    if (formValue(request.body, 'temporary') === 'true') argv.push('--temporary');
    argv.push('--', values.login);
    // The password goes the way a script gives it, in the environment: never in an argument.
    return run(request, reply, argv, { XM_NEW_PASSWORD: formValue(request.body, 'password') }, values);
  });
  web.fastify.post<Login>('/users/:login/privilege', (request, reply) =>
    run(request, reply, [
      'user',
      'set-privilege',
      '--',
      request.params.login,
      formValue(request.body, 'privilege'),
    ]),
  );
  web.fastify.post<Login>('/users/:login/suspend', (request, reply) =>
    run(request, reply, ['user', 'suspend', '--', request.params.login]),
  );
  web.fastify.post<Login>('/users/:login/unlock', (request, reply) =>
    run(request, reply, ['user', 'unlock', '--', request.params.login]),
  );
}
