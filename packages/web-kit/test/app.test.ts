import { request as httpRequest } from 'node:http';
import { type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createWebApp,
  formValue,
  html,
  sessionTokenHash,
  siteSessionStore,
  type WebApp,
  type WebUser,
} from '../src/index.js';
import { startApp } from '../src/testing.js';

let database: TestDatabase<SiteDatabase>;
let clock = new Date('2026-12-07T10:00:00Z');
let web: WebApp<WebUser>;
let logs: string[] = [];
let userId = 0;

beforeAll(async () => {
  database = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
  const row = await database.db
    .insertInto('xm_site.users')
    .values({ login: 'ada', privilege: 1, password_hash: 'not-used' })
    .returning('id')
    .executeTakeFirstOrThrow();
  userId = row.id;
  web = await createWebApp<WebUser>({
    appTitle: { en: 'Test app', fr: 'Appli de test' },
    sessions: siteSessionStore(database.db),
    sessionPolicy: { idleSeconds: 60, absoluteSeconds: 3600, now: () => clock },
    loadUser: async (id) =>
      database.db
        .selectFrom('xm_site.users')
        .select(['id', 'login', 'privilege'])
        .where('id', '=', id)
        .executeTakeFirst(),
    who: (user) => user.login,
  });
  web.fastify.log.warn = ((object: unknown) => {
    logs.push(JSON.stringify(object));
  }) as never;
  const { fastify } = web;
  fastify.get('/', (request, reply) =>
    web.sendPage(request, reply, {
      title: 'Home',
      body: html`<p id="token">${request.web.csrfToken}</p><p>${request.web.user?.login ?? 'nobody'}</p>`,
    }),
  );
  fastify.post('/login', async (request, reply) => {
    await web.logIn(request, reply, { id: userId, login: 'ada', privilege: 1 });
    return web.redirect(reply, '/');
  });
  fastify.post('/logout', async (request, reply) => {
    await web.logOut(request, reply);
    return web.redirect(reply, '/');
  });
  fastify.post('/echo', (request, reply) => {
    web.requireUser(request);
    return reply.send({ said: formValue(request.body, 'text') });
  });
  fastify.post('/head-only', (request, reply) => {
    web.requireUser(request, 3);
    return reply.send('done');
  });
  fastify.get('/boom', () => {
    throw new Error('secret internals at /srv/app.ts:12');
  });
  await fastify.ready();
});
afterAll(async () => {
  await web?.fastify.close();
  await database?.close();
});

/** Cookies a browser would keep, from a response's set-cookie headers. */
function jar(setCookie: string | string[] | undefined, into: Record<string, string> = {}) {
  for (const line of [setCookie ?? []].flat()) {
    const [pair = ''] = line.split(';');
    const [name = '', value = ''] = pair.split('=');
    if (value === '' || /Expires=Thu, 01 Jan 1970/.test(line)) delete into[name];
    else into[name] = value;
  }
  return into;
}
const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

async function loggedIn() {
  const cookies: Record<string, string> = {};
  const home = await web.fastify.inject({ method: 'GET', url: '/' });
  jar(home.headers['set-cookie'], cookies);
  const token = /id="token">([^<]+)</.exec(home.body)?.[1] ?? '';
  const login = await web.fastify.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: cookieHeader(cookies) },
    payload: { _csrf: token },
  });
  expect(login.statusCode).toBe(303);
  jar(login.headers['set-cookie'], cookies);
  const page = await web.fastify.inject({
    method: 'GET',
    url: '/',
    headers: { cookie: cookieHeader(cookies) },
  });
  return { cookies, csrf: /id="token">([^<]+)</.exec(page.body)?.[1] ?? '', loginResponse: login };
}

describe('sessions', () => {
  test('login sets an HttpOnly SameSite=Strict cookie, stores only the token hash, and rotates', async () => {
    const { cookies, loginResponse } = await loggedIn();
    const line = [loginResponse.headers['set-cookie']].flat().find((l) => l?.startsWith('xm_session=')) ?? '';
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Strict/);
    expect(line).toMatch(/Path=\//);
    expect(line).not.toMatch(/Secure/);
    const token = cookies.xm_session ?? '';
    const stored = await database.db.selectFrom('xm_site.web_sessions').select('token_hash').execute();
    expect(stored.map((s) => s.token_hash)).toContain(sessionTokenHash(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    // A second login from the same browser closes the first session and opens another.
    const again = await web.fastify.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(cookies), 'x-csrf-token': (await loggedInCsrf(cookies)) ?? '' },
    });
    const rotated = jar(again.headers['set-cookie'], { ...cookies }).xm_session;
    expect(rotated).not.toBe(token);
    const old = await web.fastify.inject({
      method: 'GET',
      url: '/',
      headers: { cookie: `xm_session=${token}` },
    });
    expect(old.body).toContain('nobody');
  });

  test('an idle session ends; use pushes the deadline back; logout destroys it', async () => {
    const { cookies, csrf } = await loggedIn();
    clock = new Date(clock.getTime() + 50_000);
    const used = await web.fastify.inject({
      method: 'GET',
      url: '/',
      headers: { cookie: cookieHeader(cookies) },
    });
    expect(used.body).toContain('ada');
    clock = new Date(clock.getTime() + 50_000);
    const still = await web.fastify.inject({
      method: 'GET',
      url: '/',
      headers: { cookie: cookieHeader(cookies) },
    });
    expect(still.body).toContain('ada');
    clock = new Date(clock.getTime() + 61_000);
    const idle = await web.fastify.inject({
      method: 'GET',
      url: '/',
      headers: { cookie: cookieHeader(cookies) },
    });
    expect(idle.body).toContain('nobody');
    const second = await loggedIn();
    const out = await web.fastify.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: cookieHeader(second.cookies) },
      payload: { _csrf: second.csrf },
    });
    expect(out.statusCode).toBe(303);
    const after = await web.fastify.inject({
      method: 'POST',
      url: '/echo',
      headers: { cookie: cookieHeader(second.cookies) },
      payload: { _csrf: second.csrf, text: 'x' },
    });
    expect(after.statusCode).toBe(403); // the session is gone, so its CSRF token is too
    expect(csrf).not.toBe(second.csrf);
  });

  test('a user suspended (privilege 0) loses the session at the next request', async () => {
    const { cookies } = await loggedIn();
    await database.db.updateTable('xm_site.users').set({ privilege: 0 }).where('id', '=', userId).execute();
    try {
      const page = await web.fastify.inject({
        method: 'GET',
        url: '/',
        headers: { cookie: cookieHeader(cookies) },
      });
      expect(page.body).toContain('nobody');
    } finally {
      await database.db.updateTable('xm_site.users').set({ privilege: 1 }).where('id', '=', userId).execute();
    }
  });
});

async function loggedInCsrf(cookies: Record<string, string>) {
  const page = await web.fastify.inject({
    method: 'GET',
    url: '/',
    headers: { cookie: cookieHeader(cookies) },
  });
  return /id="token">([^<]+)</.exec(page.body)?.[1];
}

describe('CSRF', () => {
  test('a POST without the token, or with a wrong one, is refused 403 and logged', async () => {
    const { cookies, csrf } = await loggedIn();
    logs = [];
    for (const payload of [{ text: 'x' }, { text: 'x', _csrf: 'wrong' }, { text: 'x', _csrf: `${csrf}x` }]) {
      const response = await web.fastify.inject({
        method: 'POST',
        url: '/echo',
        headers: { cookie: cookieHeader(cookies), 'accept-language': 'fr' },
        payload,
      });
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('Formulaire expiré');
    }
    expect(logs.filter((line) => line.includes('csrf-refused'))).toHaveLength(3);
    const ok = await web.fastify.inject({
      method: 'POST',
      url: '/echo',
      headers: { cookie: cookieHeader(cookies), 'x-csrf-token': csrf },
      payload: { text: 'héllo' },
    });
    expect(ok.json()).toEqual({ said: 'héllo' });
  });

  test('a token from another session does not pass', async () => {
    const first = await loggedIn();
    const second = await loggedIn();
    const response = await web.fastify.inject({
      method: 'POST',
      url: '/echo',
      headers: { cookie: cookieHeader(first.cookies) },
      payload: { _csrf: second.csrf },
    });
    expect(response.statusCode).toBe(403);
  });

  test('a privilege too low is 403 and logged', async () => {
    const { cookies, csrf } = await loggedIn();
    logs = [];
    const response = await web.fastify.inject({
      method: 'POST',
      url: '/head-only',
      headers: { cookie: cookieHeader(cookies), 'accept-language': 'en' },
      payload: { _csrf: csrf },
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('Not allowed');
    expect(logs.some((line) => line.includes('"forbidden"') && line.includes('ada'))).toBe(true);
  });
});

describe('language', () => {
  test('from Accept-Language, overridden by the switch cookie; <html lang> follows', async () => {
    const fr = await web.fastify.inject({
      method: 'GET',
      url: '/nowhere',
      headers: { 'accept-language': 'fr-CM,fr;q=0.9' },
    });
    expect(fr.statusCode).toBe(404);
    expect(fr.body).toContain('<html lang="fr">');
    expect(fr.body).toContain('Page introuvable');
    const switched = await web.fastify.inject({ method: 'GET', url: '/language/en?back=/nowhere' });
    expect(switched.statusCode).toBe(303);
    expect(switched.headers.location).toBe('/nowhere');
    const en = await web.fastify.inject({
      method: 'GET',
      url: '/nowhere',
      headers: { 'accept-language': 'fr', cookie: 'xm_lang=en' },
    });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Page not found');
  });
  test('the switch never sends the browser to another site', async () => {
    for (const back of ['//evil.example', 'https://evil.example', '/\\evil.example']) {
      const response = await web.fastify.inject({
        method: 'GET',
        url: `/language/fr?back=${encodeURIComponent(back)}`,
      });
      expect(response.headers.location).toBe('/');
    }
  });
});

describe('hostile input', () => {
  test('a server error shows a reference, never a stack or a path', async () => {
    const response = await web.fastify.inject({
      method: 'GET',
      url: '/boom',
      headers: { 'accept-language': 'en' },
    });
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Something went wrong');
    expect(response.body).not.toMatch(/secret internals|app\.ts|at \w+ \(/);
  });
  test('bad URL encodings, huge bodies, odd content types and huge headers get refusals, and the server goes on', async () => {
    const server = await startApp(web.fastify);
    try {
      const send = (
        path: string,
        options: { method?: string; headers?: Record<string, string>; body?: string } = {},
      ) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const request = httpRequest(
            `${server.url}${path}`,
            { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
            (response) => {
              let body = '';
              response.on('data', (chunk) => {
                body += chunk;
              });
              response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
            },
          );
          // A server may answer (413, 431) and close before the client has written everything.
          request.on('error', (error) => reject(new Error(`${path}: ${error.message}`)));
          request.end(options.body);
        });
      const badUrl = await send('/language/%E0%A4%A?back=%zz');
      expect(badUrl.status).toBe(400);
      expect(badUrl.body).not.toMatch(/at \w+ \(/);
      const big = await send('/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `text=${'a'.repeat(400_000)}`,
      });
      expect(big.status).toBe(413);
      const odd = await send('/echo', {
        method: 'POST',
        headers: { 'content-type': 'text/x-nonsense' },
        body: '\u0000\u0001',
      });
      expect([400, 403, 415]).toContain(odd.status);
      const badJson = await send('/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":',
      });
      expect(badJson.status).toBe(400);
      // Node refuses oversized headers (431) and may close the socket before the client reads the answer.
      const headers = await send('/', { headers: { 'x-big': 'a'.repeat(40_000) } }).catch(() => ({
        status: 431,
      }));
      expect(headers.status).toBe(431);
      const binaryCookie = await send('/', { headers: { cookie: 'xm_session=%ff%fe; xm_lang=\u00ff' } });
      expect(binaryCookie.status).toBe(200);
      const after = await send('/');
      expect(after.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
