import { createTestKit, type TestKit, testPasswords } from '@xmcomm/site-kit/testing';
import type { WebApp } from '@xmcomm/web-kit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWorkstation, type WorkstationUser } from '../src/index.js';
import { libraryCard } from './fixtures.js';

// Every state-changing route, posted by hand with a valid session and CSRF token by a user whose
// privilege does not allow it: refused 403 and logged, and nothing changed.

let t: TestKit;
let web: WebApp<WorkstationUser>;
const logLines: string[] = [];
let ref = '';

interface Session {
  cookie: string;
  csrf: string;
}

async function logIn(login: string, password: string): Promise<Session> {
  const first = await web.fastify.inject({ method: 'GET', url: '/login' });
  const pre = [first.headers['set-cookie']].flat().find((c) => c?.startsWith('xm_pre=')) ?? '';
  const preCookie = pre.split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(first.body)?.[1] ?? '';
  const login_ = await web.fastify.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: preCookie },
    payload: { _csrf: csrf, login, password },
  });
  expect(login_.statusCode, login_.body).toBe(303);
  const session = [login_.headers['set-cookie']].flat().find((c) => c?.startsWith('xm_session=')) ?? '';
  const cookie = session.split(';')[0] ?? '';
  const home = await web.fastify.inject({ method: 'GET', url: '/', headers: { cookie } });
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1] ?? '' };
}

const post = (session: Session, url: string, payload: Record<string, string> = {}) =>
  web.fastify.inject({
    method: 'POST',
    url,
    headers: { cookie: session.cookie, 'accept-language': 'en' },
    payload: { _csrf: session.csrf, ...payload },
  });

beforeAll(async () => {
  t = await createTestKit({ recordTypes: [libraryCard], today: () => '2026-12-07' });
  web = await createWorkstation({
    kit: t.kit,
    db: t.database.db,
    appTitle: { en: 'Town library', fr: 'Bibliothèque municipale' },
    logger: { level: 'warn', stream: { write: (line) => void logLines.push(line) } },
  });
  await web.fastify.ready();
  const drafted = await t.kit.records.draft(t.agent, 'card', {
    holder_surname: 'Eto',
    category: 'adult',
    date_of_issue: '2026-03-01',
    branch: 'Centre',
  });
  ref = drafted.ref;
});
afterAll(async () => {
  await web?.fastify.close();
  await t?.close();
});

describe('forged posts', () => {
  test("an agent's verify, validate, and every users' route: 403, logged, nothing changed", async () => {
    const agent = await logIn('agent', testPasswords.agent);
    logLines.length = 0;
    const refused = [
      await post(agent, `/records/${ref}/verify`),
      await post(agent, `/records/${ref}/validate`, { password: testPasswords.agent }),
      await post(agent, `/records/${ref}/cancel`),
      await post(agent, '/users', { login: 'intruder', password: 'intruder-password-1', privilege: '3' }),
      await post(agent, '/users/agent/privilege', { privilege: '3' }),
      await post(agent, '/users/secretary/suspend'),
      await post(agent, '/users/head/password', { password: 'taken-over-password-1' }),
      await post(agent, '/users/head/unlock'),
    ];
    expect(refused.map((response) => response.statusCode)).toEqual(refused.map(() => 403));
    expect(refused[0]?.body).toContain('Not allowed');
    expect(logLines.filter((line) => line.includes('"forbidden"'))).toHaveLength(refused.length);
    const record = await t.kit.records.get(t.head, { type: 'card', numero: Number(ref.slice(1)), ref });
    expect(record.status).toBe(1);
    expect(record.fields.verified_by).toBeUndefined();
    const users = await t.kit.users.list(t.head);
    expect(users.map((user) => [user.login, user.privilege])).toEqual(
      expect.arrayContaining([
        ['agent', 1],
        ['secretary', 2],
      ]),
    );
    expect(users.some((user) => user.login === 'intruder')).toBe(false);
    const page = await web.fastify.inject({
      method: 'GET',
      url: '/users',
      headers: { cookie: agent.cookie },
    });
    expect(page.statusCode).toBe(403);
  });

  test("a secretary's validate is 403; the page shows her no Validate button", async () => {
    const secretary = await logIn('secretary', testPasswords.secretary);
    const page = await web.fastify.inject({
      method: 'GET',
      url: `/records/${ref}`,
      headers: { cookie: secretary.cookie, 'accept-language': 'en' },
    });
    expect(page.body).toContain('>Verify<');
    expect(page.body).not.toContain('/validate');
    expect((await post(secretary, `/records/${ref}/verify`)).statusCode).toBe(303);
    for (const password of [testPasswords.secretary, 'a wrong password']) {
      expect((await post(secretary, `/records/${ref}/validate`, { password })).statusCode).toBe(403);
    }
  });

  test('without a session every page sends to the login, and a POST is refused', async () => {
    const page = await web.fastify.inject({ method: 'GET', url: `/records/${ref}` });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/login?next=${encodeURIComponent(`/records/${ref}`)}`);
    const forged = await web.fastify.inject({ method: 'POST', url: `/records/${ref}/verify`, payload: {} });
    expect(forged.statusCode).toBe(403);
  });

  test('unknown records, types and forms are 404 pages, not errors', async () => {
    const head = await logIn('head', testPasswords.head);
    for (const url of [
      '/records/C999',
      '/records/nothing',
      '/records/new/nothing',
      '/unfinished/999',
      '/unfinished/abc',
    ]) {
      const response = await web.fastify.inject({
        method: 'GET',
        url,
        headers: { cookie: head.cookie, 'accept-language': 'fr' },
      });
      expect(response.statusCode, url).toBe(404);
      expect(response.body).toContain('Page introuvable');
    }
  });

  test('an unfinished form is kept, then completed into a record; an edit with a bad date is refused beside it', async () => {
    const agent = await logIn('agent', testPasswords.agent);
    const incomplete = await post(agent, '/records/new/card', { holder_surname: 'Abena', category: 'child' });
    expect(incomplete.statusCode).toBe(422);
    const id = /action="\/unfinished\/(\d+)"/.exec(incomplete.body)?.[1];
    expect(id).toBeDefined();
    expect(incomplete.body).toContain('value="Abena"');
    const completed = await post(agent, `/unfinished/${id}`, {
      holder_surname: 'Abena',
      category: 'child',
      date_of_issue: '2026-04-02',
      branch: 'Nord',
    });
    expect(completed.statusCode, completed.body).toBe(303);
    const created = /\/records\/(C\d+)/.exec(completed.headers.location ?? '')?.[1] ?? '';
    expect((await t.kit.unfinished.list(t.agent)).map((form) => form.id)).not.toContain(Number(id));
    const badEdit = await post(agent, `/records/${created}/edit`, {
      holder_surname: 'Abena',
      category: 'child',
      date_of_issue: '2026-13-02',
      branch: 'Nord',
    });
    expect(badEdit.statusCode).toBe(422);
    expect(badEdit.body).toMatch(/id="f-date_of_issue-error">[^<]+</);
    const edit = await post(agent, `/records/${created}/edit`, {
      holder_surname: 'Abena',
      category: 'senior',
      date_of_issue: '2026-04-02',
      branch: 'Nord',
    });
    expect(edit.statusCode).toBe(303);
    const view = await t.kit.records.get(t.head, {
      type: 'card',
      numero: Number(created.slice(1)),
      ref: created,
    });
    expect(view.fields.category).toBe('senior');
    const history = await t.kit.records.history(t.head, {
      type: 'card',
      numero: Number(created.slice(1)),
      ref: created,
    });
    expect(history.map((event) => [event.kind, event.user, event.workstation])).toEqual([
      ['drafted', 'agent', '127.0.0.1'],
      ['edited', 'agent', '127.0.0.1'],
    ]);
  });
});
