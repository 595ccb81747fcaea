import { randomUUID } from 'node:crypto';
import { type EmbeddedBroker, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createConsole } from '../src/console/app.js';
import { recordRefusal } from '../src/refusals.js';
import { type ConsoleFixture, createConsoleFixture, get, logIn, post, postLogin } from './helpers/console.js';

// The console's routes by inject, on both engines: login, lockout, suspension, sessions in the
// operators' table, CSRF, privileges (a forged POST is 403 and in the audit log), and an operator
// registering and crediting a client through the CLI's own commands.

let f: ConsoleFixture;
let clock = new Date();

beforeAll(async () => {
  f = await createConsoleFixture({ now: () => clock, authPolicy: { maxFailures: 3 } });
}, 120_000);
afterAll(async () => {
  await f?.close();
});

const audit = (action: string, operator?: string) => f.audit(action, operator);

const balanceOf = async (matricule: string) => {
  const row = await f.database.db
    .selectFrom('xm_system.ledger_entries as le')
    .innerJoin('xm_system.accounts as a', 'a.id', 'le.account_id')
    .innerJoin('xm_system.clients as c', 'c.id', 'a.client_id')
    .select('le.balance_after')
    .where('c.matricule', '=', matricule)
    .orderBy('le.id', 'desc')
    .executeTakeFirst();
  return row ? Number(row.balance_after) : 0;
};

describe('login', () => {
  test('a page without a session sends to the login page; a wrong password is refused and audited', async () => {
    const home = await get(f.web, undefined, '/clients?q=a');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/login?next=%2Fclients%3Fq%3Da');
    const { response, cookie } = await postLogin(f.web, 'clerk', 'not the password');
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('Unknown user or wrong password.');
    expect(cookie).toBe('');
    expect((await audit('auth.failure', 'clerk')).length).toBeGreaterThan(0);
  });

  test('a suspended operator cannot log in, even with the right password', async () => {
    const { response, cookie } = await postLogin(f.web, 'gone', f.passwords.gone);
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This account is suspended.');
    expect(cookie).toBe('');
  });

  test('lockout: after 3 wrong passwords even the right one is refused, until a supervisor unlocks', async () => {
    for (let i = 0; i < 3; i++) await postLogin(f.web, 'locky', `wrong ${i}`);
    const { response, cookie } = await postLogin(f.web, 'locky', f.passwords.locky);
    expect(response.statusCode).toBe(423);
    expect(response.body).toContain('this account is locked until');
    expect(cookie).toBe('');
    expect((await audit('auth.lock', 'locky')).length).toBe(1);
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    expect((await get(f.web, admin, '/users')).body).toContain('locked until');
    expect((await post(f.web, admin, '/users/locky/unlock')).statusCode).toBe(303);
    expect((await postLogin(f.web, 'locky', f.passwords.locky)).response.statusCode).toBe(303);
  });

  test('the session lives in xm_system.operator_sessions, HttpOnly and SameSite=Strict; logout ends it', async () => {
    const { response, cookie } = await postLogin(f.web, 'reader', f.passwords.reader);
    const setCookie = [response.headers['set-cookie']].flat().find((c) => c?.startsWith('xm_session=')) ?? '';
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    const sessions = await f.database.db
      .selectFrom('xm_system.operator_sessions as s')
      .innerJoin('xm_system.users as u', 'u.id', 's.user_id')
      .select(['s.origin'])
      .where('u.login', '=', 'reader')
      .execute();
    expect(sessions.map((s) => s.origin)).toContainEqual(expect.stringMatching(/^console /));
    const home = await get(f.web, { cookie, csrf: '' }, '/');
    expect(home.statusCode).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1] ?? '';
    expect((await post(f.web, { cookie, csrf }, '/logout')).statusCode).toBe(303);
    expect((await get(f.web, { cookie, csrf }, '/')).statusCode).toBe(303);
    expect((await audit('auth.logout', 'reader')).length).toBeGreaterThan(0);
  });

  test('a session unused for longer than the idle timeout ends', async () => {
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    expect((await get(f.web, reader, '/')).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 31 * 60_000);
    try {
      expect((await get(f.web, reader, '/')).statusCode).toBe(303);
    } finally {
      clock = new Date();
    }
  });

  test('French from Accept-Language, English after the switch', async () => {
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    const french = await get(f.web, reader, '/', 'fr-CM,fr;q=0.9');
    expect(french.body).toContain('Tableau de bord');
    expect(french.body).toContain('Utilisation de la licence');
    const english = await get(f.web, reader, '/', 'fr');
    expect(english.body).toContain('<html lang="fr"');
    const switched = await f.web.fastify.inject({
      method: 'GET',
      url: '/',
      headers: { cookie: `${reader.cookie}; xm_lang=en`, 'accept-language': 'fr' },
    });
    expect(switched.body).toContain('Licence use');
  });
});

describe('clients', () => {
  test('an operator registers a client and credits it: audited as that operator; the statement shows it', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const created = await post(f.web, clerk, '/clients', {
      name: 'Centre Ebolowa',
      matricule: 'EBO-1',
      centreCode: '300101',
      status: '3',
      locality: 'Ebolowa',
      contact: '+237 600 00 00 00',
    });
    expect(created.statusCode, created.body).toBe(303);
    expect(created.headers.location).toBe('/clients/EBO-1?done=registered');
    const credited = await post(f.web, clerk, '/clients/EBO-1/credit', {
      amount: '25000',
      reference: 'REC-77',
    });
    expect(credited.statusCode, credited.body).toBe(303);
    expect(await balanceOf('EBO-1')).toBe(25000);
    expect((await audit('client.add', 'clerk')).map((a) => a.target)).toEqual(['EBO-1']);
    expect((await audit('client.credit', 'clerk')).map((a) => a.target)).toEqual(['EBO-1']);
    const page = await get(f.web, clerk, '/clients/EBO-1');
    expect(page.body).toContain('REC-77');
    expect(page.body).toMatch(/data-figure="balance"[^>]*>25000 XAF/);
    const csv = await get(f.web, clerk, '/clients/EBO-1/statement.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('REC-77');
    const list = await get(f.web, clerk, '/clients?q=ebol&city=Ebol');
    expect(list.body).toContain('Centre Ebolowa');
    expect((await get(f.web, clerk, '/clients?q=nothing-like-this')).body).toContain('No client matches.');
  });

  test("the CLI's checks answer beside the field: a bad amount, a duplicate matricule", async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const bad = await post(f.web, clerk, '/clients/EBO-1/credit', { amount: '-5' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="f-amount-error"/);
    const duplicate = await post(f.web, clerk, '/clients', {
      name: 'Again',
      matricule: 'EBO-1',
      status: '3',
    });
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.body).toMatch(/id="f-matricule-error"/);
  });

  test('status change with a reason: in the audit log', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const changed = await post(f.web, clerk, '/clients/EBO-1/status', {
      status: '1',
      reason: 'unpaid invoice',
    });
    expect(changed.statusCode, changed.body).toBe(303);
    const [entry] = await audit('client.set-status', 'clerk');
    const details = typeof entry?.details === 'string' ? JSON.parse(entry.details) : entry?.details;
    expect(details).toMatchObject({ from: 3, to: 1, reason: 'unpaid invoice' });
  });

  test('a read-only user sees the statement but no Credit button; a forged POST is 403, audited, nothing changed', async () => {
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    const page = await get(f.web, reader, '/clients/EBO-1');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('REC-77');
    expect(page.body).not.toContain('action="/clients/EBO-1/credit"');
    const before = await balanceOf('EBO-1');
    const refused = [
      await post(f.web, reader, '/clients/EBO-1/credit', { amount: '1000' }),
      await post(f.web, reader, '/clients/EBO-1/status', { status: '3', reason: 'x' }),
      await post(f.web, reader, '/clients', { name: 'Intruder', status: '3' }),
      await post(f.web, reader, '/users', {
        login: 'intruder',
        privilege: '3',
        password: 'intruder password',
      }),
      await get(f.web, reader, '/users'),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual([403, 403, 403, 403, 403]);
    expect(await balanceOf('EBO-1')).toBe(before);
    const forbidden = await audit('auth.forbidden', 'reader');
    expect(forbidden.map((a) => a.target)).toContain('console POST /clients/:matricule/credit');
    expect(f.logLines.some((l) => l.includes('"event":"forbidden"') && l.includes('reader'))).toBe(true);
  });

  test('no CSRF token, or a wrong one: refused, nothing changed', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const before = await balanceOf('EBO-1');
    const none = await f.web.fastify.inject({
      method: 'POST',
      url: '/clients/EBO-1/credit',
      headers: { cookie: clerk.cookie },
      payload: { amount: '1000' },
    });
    const wrong = await post(f.web, { ...clerk, csrf: 'x'.repeat(43) }, '/clients/EBO-1/credit', {
      amount: '1000',
    });
    expect([none.statusCode, wrong.statusCode]).toEqual([403, 403]);
    expect(await balanceOf('EBO-1')).toBe(before);
  });
});

describe('supervisor pages', () => {
  test('a supervisor adds a user (password never in an argument) who can then log in', async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const added = await post(f.web, admin, '/users', {
      login: 'newbie',
      privilege: '1',
      password: 'newbie password 1',
    });
    expect(added.statusCode, added.body).toBe(303);
    expect((await audit('user.add', 'admin')).map((a) => a.target)).toContain('newbie');
    expect((await postLogin(f.web, 'newbie', 'newbie password 1')).response.statusCode).toBe(303);
  });

  test("a suspended user's row offers Reinstate with no privilege chosen in advance", async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const users = (await get(f.web, admin, '/users')).body;
    const row = users.slice(
      users.indexOf('<td>gone</td>'),
      users.indexOf('</tr>', users.indexOf('<td>gone</td>')),
    );
    expect(row).toContain('>Reinstate</button>');
    expect(row).toMatch(/<option value="" selected disabled>/);
    expect(row).not.toMatch(/<option value="\d" selected>/);
  });

  test('what a user types is never read as a command option: it is checked as the value it is', async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const login = await post(f.web, admin, '/users', {
      login: '--name=x',
      privilege: '1',
      password: 'a password 12',
    });
    expect(login.statusCode).toBe(400);
    expect(login.body).toMatch(/id="f-login-error"/);
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const before = await balanceOf('EBO-1');
    const amount = await post(f.web, clerk, '/clients/EBO-1/credit', { amount: '--reference=FORGED' });
    expect(amount.statusCode).toBe(400);
    expect(amount.body).toMatch(/id="f-amount-error"/);
    expect(await balanceOf('EBO-1')).toBe(before);
  });

  test("the dashboard counts the service's refusals by reason, in the user's language", async () => {
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    const refusal = { containerId: null, sender: 'EBO-1' };
    await recordRefusal(f.database.db, {
      ...refusal,
      status: 'refused',
      rejected: 0,
      reason: 'untrusted-signer',
    });
    await recordRefusal(f.database.db, {
      ...refusal,
      status: 'applied',
      rejected: 2,
      reason: 'invalid-field: child_sex',
    });
    await recordRefusal(f.database.db, { ...refusal, status: 'applied', rejected: 0, reason: null });
    const rows = (body: string) =>
      [
        ...(/<table class="refusals">([\s\S]*?)<\/table>/.exec(body)?.[1] ?? '').matchAll(
          /<tr><td title="([^"]+)">[^<]*<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td>/g,
        ),
      ].map((m) => m.slice(1).join(' '));
    expect(rows((await get(f.web, reader, '/')).body)).toEqual(['invalid-field 0 2', 'untrusted-signer 1 0']);
    expect((await get(f.web, reader, '/', 'fr')).body).toMatch(/<td title="invalid-field">[^<]+<\/td>/);
  });

  test('licence: everyone sees the edition; a supervisor enters a key (a bad one is refused beside it), others get 403', async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const shown = await get(f.web, admin, '/licence');
    expect(shown.body).toMatch(/data-figure="edition">[^<]+</);
    const bad = await post(f.web, admin, '/licence', { key: 'XMLIC1.not-a-key' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="f-key-error"/);
    expect(await audit('licence.activate')).toEqual([]);
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    const readOnly = await get(f.web, reader, '/licence');
    expect(readOnly.statusCode).toBe(200);
    expect(readOnly.body).not.toContain('action="/licence"');
    expect((await post(f.web, reader, '/licence', { key: 'XMLIC1.x' })).statusCode).toBe(403);
  });

  test('dashboard, monitor and tariffs answer for a read-only user', async () => {
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    for (const url of ['/', '/monitor', '/monitor/live', '/tariffs', '/statistics', '/statistics.csv']) {
      const page = await get(f.web, reader, url);
      expect(page.statusCode, `${url}: ${page.body}`).toBe(200);
    }
    expect((await get(f.web, reader, '/')).body).toMatch(/data-figure="licence">\d+ \/ \d+/);
  });
});

describe('tariffs', () => {
  const inForce = async () =>
    JSON.parse((await f.run(['tariff', 'list', '--json'])).stdout) as {
      id: number;
      service: string;
      table: string;
      perRow: number;
    }[];

  test('a value typed in a form never reads as an option of the command it is given to', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const before = (await audit('tariff.set')).length;
    // Commander would take `--table=deaths` and the root's `--lang=fr` from anywhere before `--`.
    const forged = await post(f.web, clerk, '/tariffs', {
      service: 'sds-import',
      table: '--lang=fr',
      currency: '--table=deaths',
      'per-row': '1',
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('--lang=fr');
    expect((await inForce()).filter((l) => l.table === 'deaths')).toEqual([]);
    expect((await audit('tariff.set')).length).toBe(before);
  });

  test('an operator sets a tariff with `tariff set`, then edits it from its line: the new prices replace it', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const page = (await get(f.web, clerk, '/tariffs')).body;
    expect(page).toContain('action="/tariffs"');
    const set = await post(f.web, clerk, '/tariffs', {
      service: 'sds-import',
      table: 'births',
      currency: 'XAF',
      'per-row': '150',
      period: 'month',
    });
    expect(set.statusCode, set.body).toBe(303);
    const [line] = (await inForce()).filter((l) => l.table === 'births');
    expect(line).toMatchObject({ service: 'sds-import', perRow: 150 });
    expect((await audit('tariff.set', 'clerk')).map((a) => a.target)).toEqual(['sds-import/births/XAF']);
    const edit = (await get(f.web, clerk, `/tariffs?edit=${line?.id}`)).body;
    expect(edit).toMatch(/id="f-per-row" name="per-row"[^>]* value="150"/);
    expect(edit).toMatch(/<option value="sds-import" selected>/);
    const edited = await post(f.web, clerk, '/tariffs', {
      service: 'sds-import',
      table: 'births',
      currency: 'XAF',
      'per-row': '200',
    });
    expect(edited.statusCode, edited.body).toBe(303);
    expect((await inForce()).filter((l) => l.table === 'births').map((l) => l.perRow)).toEqual([200]);
    expect((await get(f.web, clerk, '/tariffs?done=set')).body).toContain('Tariff set.');
  });

  test("the CLI's validation answers beside the field: a price that is not one, an unknown service", async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const price = await post(f.web, clerk, '/tariffs', { service: 'sds-import', 'per-row': '-3' });
    expect(price.statusCode).toBe(400);
    expect(price.body).toMatch(/id="f-per-row-error"/);
    const service = await post(f.web, clerk, '/tariffs', { service: 'free-lunch', 'per-row': '1' });
    expect(service.statusCode).toBe(400);
    expect(service.body).toMatch(/id="f-service-error"/);
    expect((await audit('tariff.set')).length).toBe(2);
  });

  test('a read-only user sees the tariffs but no form nor Edit; a forged POST is 403 and audited; no token, refused', async () => {
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    const page = await get(f.web, reader, '/tariffs');
    expect(page.body).toContain('<td>births</td>');
    expect(page.body).not.toContain('action="/tariffs"');
    expect(page.body).not.toContain('?edit=');
    expect(
      (await post(f.web, reader, '/tariffs', { service: 'sds-import', 'per-row': '1' })).statusCode,
    ).toBe(403);
    expect((await audit('auth.forbidden', 'reader')).map((a) => a.target)).toContain('console POST /tariffs');
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const noToken = await post(f.web, { ...clerk, csrf: '' }, '/tariffs', { service: 'sds-import' });
    expect(noToken.statusCode).toBe(403);
    expect((await audit('tariff.set')).length).toBe(2);
  });
});

describe('monitor', () => {
  test('per site: last contact, last sequence number and the containers missing from the sequence', async () => {
    const sent = (sequence: number) => ({
      container_id: randomUUID(),
      sender_matricule: 'EBO-1',
      sequence,
      kind: 'data',
      table_name: 'births',
      size_bytes: 900,
      created_at: new Date(),
    });
    await f.database.db
      .insertInto('xm_system.received_containers')
      .values([sent(1), sent(2), sent(5)])
      .execute();
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    const live = (await get(f.web, reader, '/monitor/live')).body;
    expect(live).toMatch(
      /<td><a href="\/clients\/EBO-1">EBO-1<\/a><\/td><td>[^<]+<\/td><td class="num">3<\/td><td class="num">5<\/td><td class="num negative">2<\/td>/,
    );
  });

  // The real broker of the services run (MQTT 5), else an embedded one (MQTT 3.1.1).
  let broker: EmbeddedBroker | undefined;
  let withBroker: Awaited<ReturnType<typeof createConsole>>;
  beforeAll(async () => {
    if (!process.env.MQTT_URL) broker = await startEmbeddedBroker();
    withBroker = await createConsole({
      db: f.database.db,
      env: { XM_BROKER_URL: process.env.MQTT_URL ?? broker?.url ?? '' },
      cwd: f.dataDir,
      globalArgs: ['--data-dir', f.dataDir],
      logger: false,
    });
    await withBroker.fastify.ready();
  });
  afterAll(async () => {
    await withBroker?.fastify.close();
    await broker?.close();
  });
  const mqtt3 = (): Record<string, string> => (process.env.MQTT_URL ? {} : { mqtt3: '1' });

  test('Test broker runs `broker test` on the configured broker and shows its figures', async () => {
    const clerk = await logIn(withBroker, 'clerk', f.passwords.clerk);
    expect((await get(withBroker, clerk, '/monitor')).body).toContain('action="/monitor/broker-test"');
    const tested = await post(withBroker, clerk, '/monitor/broker-test', { messages: '5', ...mqtt3() });
    expect(tested.statusCode, tested.body).toBe(200);
    expect(tested.body).toMatch(/data-figure="connect">\d+(\.\d+)? ms</);
    expect(tested.body).toMatch(/data-figure="latency">[\d.]+ \/ [\d.]+ \/ [\d.]+ \/ [\d.]+ ms</);
    expect(tested.body).toMatch(/data-figure="throughput">\d+ messages\/s of \d+ bytes/);
    const bad = await post(withBroker, clerk, '/monitor/broker-test', { messages: '0', ...mqtt3() });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="f-messages-error"/);
  });

  test('without a broker the refusal is shown; a read-only user has no button and a forged POST is 403; no token, refused', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const none = await post(f.web, clerk, '/monitor/broker-test', { messages: '5' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('no broker');
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    expect((await get(f.web, reader, '/monitor')).body).not.toContain('/monitor/broker-test');
    expect((await post(f.web, reader, '/monitor/broker-test', { messages: '5' })).statusCode).toBe(403);
    expect((await audit('auth.forbidden', 'reader')).map((a) => a.target)).toContain(
      'console POST /monitor/broker-test',
    );
    expect(
      (await post(f.web, { ...clerk, csrf: '' }, '/monitor/broker-test', { messages: '5' })).statusCode,
    ).toBe(403);
  });
});

describe('xmserver console (the command)', () => {
  test('a certificate without its key, or a port out of range: refused before anything listens', async () => {
    const noKey = await f.run(['console', '--tls-cert', 'console.pem']);
    expect(noKey.code).toBe(64);
    expect(noKey.stderr).toContain('--tls-key');
    const port = await f.run(['console', '--port', '70000']);
    expect(port.code).toBe(64);
    expect(port.stderr).toContain('--port');
  });
});
