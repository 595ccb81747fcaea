import { createSiteKit } from '@xmcomm/site-kit';
import { createTestKit, type TestKit, testPasswords } from '@xmcomm/site-kit/testing';
import type { WebApp } from '@xmcomm/web-kit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWorkstation, type WorkstationUser } from '../src/index.js';
import { libraryCard, libraryCards } from './fixtures.js';

// The workstation as an attacker on the LAN sees it: hostile parameters, bodies and cookies.
// PGlite by default, PostgreSQL when DATABASE_URL is set.

let t: TestKit;
let web: WebApp<WorkstationUser>;

interface Session {
  cookie: string;
  csrf: string;
}

const cookieNamed = (headers: Record<string, unknown>, name: string) =>
  ([headers['set-cookie']].flat().find((c) => typeof c === 'string' && c.startsWith(`${name}=`)) as
    | string
    | undefined) ?? '';

async function logIn(
  login: string,
  password: string,
  extraCookie = '',
  next = '/',
): Promise<{
  session: Session;
  location: string;
  setCookie: string;
}> {
  const first = await web.fastify.inject({ method: 'GET', url: '/login', headers: { cookie: extraCookie } });
  const preCookie = cookieNamed(first.headers, 'xm_pre').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(first.body)?.[1] ?? '';
  const response = await web.fastify.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: [preCookie, extraCookie].filter(Boolean).join('; ') },
    payload: { _csrf: csrf, login, password, next },
  });
  expect(response.statusCode, response.body).toBe(303);
  const setCookie = cookieNamed(response.headers, 'xm_session');
  const cookie = setCookie.split(';')[0] ?? '';
  const home = await web.fastify.inject({ method: 'GET', url: '/password', headers: { cookie } });
  return {
    session: { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1] ?? '' },
    location: String(response.headers.location),
    setCookie,
  };
}

const recordCount = async () => {
  const { rows } = await sql<{
    n: string;
  }>`select count(*) as n from ${sql.table(libraryCards.qualifiedName)}`.execute(t.database.db);
  return Number(rows[0]?.n);
};

const card = { holder_surname: 'Eto', category: 'adult', date_of_issue: '2026-03-01', branch: 'Centre' };

beforeAll(async () => {
  t = await createTestKit({ recordTypes: [libraryCard], today: () => '2026-12-07' });
  web = await createWorkstation({
    kit: t.kit,
    db: t.database.db,
    appTitle: { en: 'Town library', fr: 'Bibliothèque municipale' },
    logger: false,
  });
  await web.fastify.ready();
});
afterAll(async () => {
  await web?.fastify.close();
  await t?.close();
});

describe('a password the head reset', () => {
  test('allows nothing but choosing a new one: a POST elsewhere changes nothing', async () => {
    await t.kit.users.add(t.head, { login: 'newcomer', privilege: 2, password: 'first-password-1' });
    await t.kit.users.resetPassword(t.head, 'newcomer', 'given-password-1');
    const { session, location } = await logIn('newcomer', 'given-password-1');
    expect(location).toBe('/password');
    const before = await recordCount();
    const forged = await web.fastify.inject({
      method: 'POST',
      url: '/records/new/card',
      headers: { cookie: session.cookie },
      payload: { _csrf: session.csrf, ...card },
    });
    expect(forged.statusCode).toBe(303);
    expect(forged.headers.location).toBe('/password');
    expect(await recordCount()).toBe(before);
    const changed = await web.fastify.inject({
      method: 'POST',
      url: '/password',
      headers: { cookie: session.cookie },
      payload: { _csrf: session.csrf, old: 'given-password-1', new: 'my-own-password-1' },
    });
    expect(changed.statusCode).toBe(303);
    const allowed = await web.fastify.inject({
      method: 'POST',
      url: '/records/new/card',
      headers: { cookie: session.cookie },
      payload: { _csrf: session.csrf, ...card },
    });
    expect(allowed.statusCode, allowed.body).toBe(303);
    expect(await recordCount()).toBe(before + 1);
  });
});

describe('redirects and sessions', () => {
  // Browsers drop tabs and line breaks inside a URL, so "/\t/evil" is "//evil", another host.
  const hostile = [
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '//evil.example',
    '/\\evil.example',
  ];

  test('the login next= never leads to another host', async () => {
    for (const next of hostile) {
      const { location } = await logIn('agent', testPasswords.agent, '', next);
      expect(new URL(location, 'http://127.0.0.1/').host, JSON.stringify(next)).toBe('127.0.0.1');
    }
  });

  test('the language switch back= never leads to another host', async () => {
    for (const back of hostile) {
      const response = await web.fastify.inject({
        method: 'GET',
        url: `/language/fr?back=${encodeURIComponent(back)}`,
      });
      expect(response.statusCode).toBe(303);
      expect(new URL(String(response.headers.location), 'http://127.0.0.1/').host).toBe('127.0.0.1');
    }
  });

  test('a session cookie planted before login does not survive it; cookie flags', async () => {
    const planted = 'xm_session=attacker-chosen-value';
    const { setCookie, session } = await logIn('agent', testPasswords.agent, planted);
    expect(session.cookie).not.toBe(planted);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//i);
  });
});

describe('forged posts', () => {
  test("another session's CSRF token, or the one from before login, is refused and changes nothing", async () => {
    const agent = (await logIn('agent', testPasswords.agent)).session;
    const other = (await logIn('secretary', testPasswords.secretary)).session;
    const first = await web.fastify.inject({ method: 'GET', url: '/login' });
    const preToken = /name="_csrf" value="([^"]+)"/.exec(first.body)?.[1] ?? '';
    const before = await recordCount();
    for (const csrf of [other.csrf, preToken, '', 'x'.repeat(64)]) {
      const forged = await web.fastify.inject({
        method: 'POST',
        url: '/records/new/card',
        headers: { cookie: agent.cookie, 'accept-language': 'fr' },
        payload: { _csrf: csrf, ...card },
      });
      expect(forged.statusCode).toBe(403);
    }
    expect(await recordCount()).toBe(before);
  });
});

describe('what a user types is shown, never run', () => {
  test('names, search box and login are escaped in lists, record pages, history and the login form', async () => {
    const xss = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
    const agent = (await logIn('agent', testPasswords.agent)).session;
    const ref = await t.kit.records.draft(t.agent, 'card', { ...card, holder_surname: xss, branch: xss });
    const pages = [`/records/${ref.ref}`, '/records', `/records?q=${encodeURIComponent(xss)}`, '/'];
    for (const url of pages) {
      const page = await web.fastify.inject({ method: 'GET', url, headers: { cookie: agent.cookie } });
      expect(page.statusCode, url).toBeLessThan(500);
      expect(page.body, url).not.toContain('<script>alert');
      expect(page.body, url).not.toContain('<img src=x');
    }
    const first = await web.fastify.inject({ method: 'GET', url: '/login' });
    const pre = cookieNamed(first.headers, 'xm_pre').split(';')[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(first.body)?.[1] ?? '';
    const refused = await web.fastify.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: pre },
      payload: { _csrf: csrf, login: xss, password: 'whatever-password', next: xss },
    });
    expect(refused.statusCode).toBe(401);
    // The refused name is kept; the cursor waits in the password field.
    expect(refused.body).toMatch(/<input id="password"[^>]* autofocus>/);
    expect(refused.body).not.toMatch(/<input id="login"[^>]* autofocus/);
    expect(refused.body).not.toContain('<script>alert');
    expect(refused.body).not.toContain('<img src=x');
  });
});

describe('hostile bytes', () => {
  test('bad percent-encoding, invalid UTF-8, long queries, wrong content types, huge bodies: 4xx pages', async () => {
    const agent = (await logIn('agent', testPasswords.agent)).session;
    const headers = { cookie: agent.cookie, 'accept-language': 'fr' };
    const requests = [
      { method: 'GET' as const, url: '/records?q=%E0%A4%A' },
      { method: 'GET' as const, url: '/records/%E0%A4%A' },
      { method: 'GET' as const, url: '/records?q=%FF%FE' },
      { method: 'GET' as const, url: `/records?q=${'a'.repeat(20_000)}` },
      { method: 'GET' as const, url: '/records?page=-1&status=99&type=%00' },
      { method: 'GET' as const, url: '/assets/../../../../etc/passwd' },
      { method: 'GET' as const, url: '/assets/%2e%2e/%2e%2e/etc/passwd' },
      { method: 'GET' as const, url: '/assets/..%2f..%2fpackage.json' },
      {
        method: 'POST' as const,
        url: '/records/new/card',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ _csrf: agent.csrf, ...card, holder_surname: { $ne: 1 } }),
      },
      {
        method: 'POST' as const,
        url: '/records/new/card',
        headers: { 'content-type': 'text/plain' },
        payload: 'holder_surname=x',
      },
      {
        method: 'POST' as const,
        url: '/records/new/card',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: Buffer.concat([
          Buffer.from(`_csrf=${agent.csrf}&holder_surname=`),
          Buffer.from([0xff, 0xfe, 0xc3]),
        ]),
      },
      {
        method: 'POST' as const,
        url: '/records/new/card',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${agent.csrf}&notes=${'x'.repeat(2_000_000)}`,
      },
    ];
    for (const { method, url, headers: own, payload } of requests) {
      const response = await web.fastify.inject({
        method,
        url,
        headers: { ...headers, ...own },
        ...(payload === undefined ? {} : { payload }),
      });
      const label = `${method} ${url.slice(0, 60)}`;
      expect(response.statusCode, label).toBeGreaterThanOrEqual(200);
      expect(response.statusCode, `${label}: ${response.body.slice(0, 300)}`).toBeLessThan(500);
      expect(response.body, label).not.toMatch(/at .+\.(ts|js):\d+|root:x:0|"name": "@xmcomm/);
    }
  });
});

describe('the site’s words', () => {
  test('the roles are named as the site app declares them (ECR: officier d’état civil)', async () => {
    const named = await createWorkstation({
      kit: createSiteKit({
        db: t.database.db,
        recordTypes: [libraryCard],
        centre: t.centre,
        roleNames: { 3: { en: 'chief librarian', fr: 'bibliothécaire en chef' } },
      }),
      db: t.database.db,
      appTitle: { en: 'Town library', fr: 'Bibliothèque municipale' },
      logger: false,
    });
    const before = web;
    web = named;
    try {
      const head = (await logIn('head', testPasswords.head)).session;
      for (const url of ['/', '/users']) {
        const page = await web.fastify.inject({
          method: 'GET',
          url,
          headers: { cookie: head.cookie, 'accept-language': 'fr' },
        });
        expect(page.body, url).toContain('bibliothécaire en chef');
        expect(page.body, url).not.toContain('chef de site');
      }
    } finally {
      web = before;
      await named.fastify.close();
    }
  });

  test('without a sync hook, the sync page says where synchronisation happens instead of showing nothing', async () => {
    const head = (await logIn('head', testPasswords.head)).session;
    const page = await web.fastify.inject({
      method: 'GET',
      url: '/sync',
      headers: { cookie: head.cookie, 'accept-language': 'fr' },
    });
    expect(page.body).toContain('La synchronisation ne se lance pas depuis cette page');
    expect(page.body).not.toContain('action="/sync"');
  });
});
