import { randomUUID } from 'node:crypto';
import { chargeContainer } from '@xmcomm/billing';
import { sampleBirth } from '@xmcomm/contract/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ConsoleFixture, createConsoleFixture, get, logIn, post } from './helpers/console.js';

// The console's statistics by region and sex (the figures of `xmserver report --by`), a client's
// bills (`client bill`), profile (`client update`, `client profile`) and ending a tariff (`tariff
// end`), by inject on both engines: each page shows what the command gives, a read-only user sees
// without a button, a forged POST is 403 and audited, a POST without the CSRF token is refused.

let f: ConsoleFixture;
beforeAll(async () => {
  f = await createConsoleFixture();
  for (const [matricule, region] of [
    ['STA-1', 'Centre'],
    ['STB-1', 'Littoral'],
    ['STC-1', ''],
  ] as const) {
    const added = await f.run([
      'client',
      'add',
      '--name',
      `Centre ${matricule}`,
      '--matricule',
      matricule,
      ...(region ? ['--region', region] : []),
    ]);
    if (added.code !== 0) throw new Error(added.stderr);
  }
  let numero = 0;
  const act = (site: string, validatedAt: string | null) => ({
    status: 2,
    niu: `ST-${++numero}`,
    origin_matricule: site,
    origin_numero: numero,
    validated_at: validatedAt === null ? null : new Date(validatedAt),
  });
  const birth = (site: string, sex: string, at: string | null) =>
    f.database.db
      .insertInto('xm_data.births')
      .values({ ...sampleBirth, child_sex: sex, ...act(site, at) } as never)
      .execute();
  await birth('STA-1', 'female', '2026-10-03T10:00:00Z');
  await birth('STA-1', 'female', '2026-10-31T23:30:00Z');
  await birth('STA-1', 'male', '2026-10-15T08:00:00Z');
  await birth('STA-1', 'undetermined', null);
  await birth('STB-1', 'male', '2026-11-02T09:00:00Z');
  await birth('STC-1', 'female', '2026-11-20T09:00:00Z');
  await f.database.db
    .insertInto('xm_data.deaths')
    .values({
      deceased_surname: 'Abena',
      deceased_given_names: 'Paul',
      deceased_sex: 'male',
      date_of_death: '2026-11-01',
      place_of_death_region: 'Centre',
      place_of_death_locality: 'Yaoundé',
      place_of_death_type: 'hospital',
      certifier: 'physician',
      declarant_surname: 'Abena',
      declarant_relationship: 'relative',
      date_of_declaration: '2026-11-02',
      ...act('STA-1', '2026-11-03T10:00:00Z'),
    } as never)
    .execute();
  const spouse = (prefix: string, sex: string) => ({
    [`${prefix}surname`]: 'Mballa',
    [`${prefix}given_names`]: 'Anne',
    [`${prefix}sex`]: sex,
    [`${prefix}date_of_birth`]: '1990-01-01',
    [`${prefix}previous_marital_status`]: 'never-married',
  });
  await f.database.db
    .insertInto('xm_data.marriages')
    .values({
      date_of_marriage: '2026-11-05',
      place_of_marriage_region: 'Littoral',
      place_of_marriage_locality: 'Douala',
      marriage_form: 'monogamous',
      date_of_registration: '2026-11-05',
      ...spouse('spouse1_', 'female'),
      ...spouse('spouse2_', 'male'),
      ...act('STB-1', '2026-11-06T10:00:00Z'),
    } as never)
    .execute();
}, 120_000);
afterAll(async () => {
  await f?.close();
});

const report = async (...argv: string[]) => {
  const result = await f.run(['report', ...argv]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};

describe('statistics by region and sex', () => {
  test('xmserver report --by region and --by sex: sexes from the contract, marriages not recorded', async () => {
    expect(await report('--by', 'region')).toBe('region,acts\nCentre,5\nLittoral,2\n,1\n');
    // The undetermined child and the marriage (two persons, no declared sex) are not recorded.
    expect(await report('--by', 'sex')).toBe('sex,acts\nmale,3\nfemale,3\nnot-recorded,2\n');
    expect(await report('--by', 'month')).toBe('month,acts\n2026-10,3\n2026-11,4\n,1\n');
    expect(await report('--by', 'table')).toBe('table,acts\nbirths,6\ndeaths,1\nmarriages,1\n');
  });

  test('a period (months, UTC, both included) and a type filter every axis, the per-site listing too', async () => {
    expect(await report('--by', 'region', '--from', '2026-11', '--to', '2026-11', '--table', 'births')).toBe(
      'region,acts\nLittoral,1\n,1\n',
    );
    // 23:30 UTC on 31 October is October's, whatever the server's time zone.
    expect(await report('--by', 'sex', '--to', '2026-10')).toBe(
      'sex,acts\nmale,1\nfemale,2\nnot-recorded,0\n',
    );
    expect(await report('--from', '2026-11', '--table', 'deaths')).toBe(
      'site,table,day,acts\nSTA-1,deaths,2026-11-03,1\n',
    );
    const json = JSON.parse(await report('--json', '--by', 'region', '--from', '2026-10', '--to', '2026-10'));
    expect(json).toEqual([{ region: 'Centre', acts: 3 }]);
  });

  test('a wrong month, axis or table is a usage error (64) naming the option', async () => {
    for (const [argv, option] of [
      [['--by', 'sex', '--from', '2026-13'], '--from'],
      [['--by', 'age'], '--by'],
      [['--by', 'sex', '--table', 'users'], '--table'],
      [['--by', 'sex', '--from', '2026-11', '--to', '2026-10'], '--to'],
    ] as const) {
      const result = await f.run(['report', ...argv]);
      expect(result.code, result.stderr).toBe(64);
      expect(result.stderr).toContain(option);
    }
  });

  test('the console shows the same figures, filtered, in French and English, with each CSV the report', async () => {
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    const page = await get(f.web, reader, '/statistics?from=2026-11&to=2026-11');
    expect(page.statusCode).toBe(200);
    const rowOf = (axis: string, key: string) =>
      new RegExp(
        `data-axis="${axis}"[\\s\\S]*?<tr data-key="${key}"><td>[^<]*</td><td class="num">(\\d+)</td>`,
      ).exec(page.body)?.[1];
    expect(rowOf('region', 'Centre')).toBe('1');
    expect(rowOf('region', 'Littoral')).toBe('2');
    expect(rowOf('region', '')).toBe('1');
    expect(rowOf('sex', 'male')).toBe('2');
    expect(rowOf('sex', 'not-recorded')).toBe('1');
    expect(page.body).toContain('<svg class="bar"');
    const french = await get(f.web, reader, '/statistics?from=2026-11&to=2026-11', 'fr');
    expect(french.body).toContain('Par sexe');
    expect(french.body).toContain('Non renseigné');
    expect(french.body).toContain('Par région du site émetteur');
    for (const axis of ['region', 'sex', 'month', 'table']) {
      const csv = await get(f.web, reader, `/statistics.csv?by=${axis}&from=2026-11&to=2026-11&table=births`);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body).toBe(
        await report('--by', axis, '--from', '2026-11', '--to', '2026-11', '--table', 'births'),
      );
    }
    const wrong = await get(f.web, reader, '/statistics?from=2026-13');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('YYYY-MM');
  });
});

describe('bills', () => {
  beforeAll(async () => {
    for (const argv of [
      ['tariff', 'set', 'sds-export', '--per-row', '25', '--from', '2026-01-01'],
      ['client', 'credit', 'STA-1', '10000'],
    ]) {
      const result = await f.run(argv);
      if (result.code !== 0) throw new Error(result.stderr);
    }
    const charged = await chargeContainer(f.database.db, {
      matricule: 'STA-1',
      containerId: randomUUID(),
      service: 'sds-export',
      table: 'births',
      rows: [1, 2, 3],
      bytes: 2048,
      actor: 'test',
      at: new Date('2026-11-10T10:00:00Z'),
    });
    if (!charged.ok) throw new Error(charged.reason);
  });

  test('an operator lists the monthly bills, issues one for a period; its CSV is `client bill --csv`', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    expect((await get(f.web, clerk, '/clients/STA-1')).body).toContain('href="/clients/STA-1/bills"');
    const list = await get(f.web, clerk, '/clients/STA-1/bills');
    expect(list.statusCode).toBe(200);
    expect(list.body.match(/<tr><td>STA-1-/g)?.length).toBe(12);
    const shown = await get(f.web, clerk, '/clients/STA-1/bill?from=2026-11-01&to=2026-11-30');
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.body).toContain('STA-1-20261101-20261201');
    expect(shown.body).toContain('data-figure="bill-total">75 XAF');
    const csv = await get(f.web, clerk, '/clients/STA-1/bill.csv?from=2026-11-01&to=2026-11-30');
    expect(csv.statusCode).toBe(200);
    const cli = await f.run([
      'client',
      'bill',
      '--csv',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-30',
      'STA-1',
    ]);
    expect(csv.body).toBe(cli.stdout);
  });

  test('a period the command refuses is shown beside its field; a read-only user is refused as at the terminal', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const wrong = await get(f.web, clerk, '/clients/STA-1/bill?from=2026-02-30&to=2026-03-01');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toMatch(/id="f-from-error"/);
    expect((await get(f.web, clerk, '/clients/STA-1/bill.csv?from=x&to=y')).statusCode).toBe(400);
    // `client bill` is an operator's command: a read-only user has no link and gets 403, audited.
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    expect((await get(f.web, reader, '/clients/STA-1')).body).not.toContain('/bills');
    expect((await get(f.web, reader, '/clients/STA-1/bills')).statusCode).toBe(403);
    expect((await f.audit('auth.forbidden', 'reader')).map((a) => a.target)).toContain(
      'console GET /clients/:matricule/bills',
    );
  });
});

describe('profile', () => {
  test('a read-only user sees the profile, without a form; a forged POST is 403 and audited', async () => {
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    const page = await get(f.web, reader, '/clients/STB-1/profile', 'fr');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Littoral');
    expect(page.body).toContain('Profil de STB-1');
    expect(page.body).not.toContain('action="/clients/STB-1/profile"');
    expect(page.body).not.toContain('/profile/send');
    for (const url of ['/clients/STB-1/profile', '/clients/STB-1/profile/send']) {
      expect((await post(f.web, reader, url, { region: 'Sud' })).statusCode).toBe(403);
      expect((await f.audit('auth.forbidden', 'reader')).map((a) => a.target)).toContain(
        `console POST ${url.replace('STB-1', ':matricule')}`,
      );
    }
  });

  test('an operator changes the profile through `client update`; sending it without a broker says why', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    expect(
      (await post(f.web, { ...clerk, csrf: '' }, '/clients/STB-1/profile', { region: 'Sud' })).statusCode,
    ).toBe(403);
    const changed = await post(f.web, clerk, '/clients/STB-1/profile', {
      name: 'Centre STB-1',
      region: 'Sud',
      locality: 'Kribi',
      domain: '',
    });
    expect(changed.statusCode, changed.body).toBe(303);
    expect(changed.headers.location).toBe('/clients/STB-1/profile?done=saved');
    const row = await f.database.db
      .selectFrom('xm_system.clients')
      .select(['region', 'locality'])
      .where('matricule', '=', 'STB-1')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ region: 'Sud', locality: 'Kribi' });
    const updates = await f.audit('client.update', 'clerk');
    expect(updates.map((u) => u.target)).toContain('STB-1');
    const empty = await post(f.web, clerk, '/clients/STB-1/profile', { name: 'x'.repeat(151) });
    expect(empty.statusCode).toBe(400);
    const send = await post(f.web, clerk, '/clients/STB-1/profile/send');
    expect(send.statusCode).toBe(400);
    expect(send.body).toMatch(/role="alert"/);
  });
});

describe('ending a tariff', () => {
  test('an operator ends a tariff at a day (`tariff end`), audited; a wrong day is refused beside it', async () => {
    const set = await f.run([
      '--json',
      'tariff',
      'set',
      'sds-import',
      '--per-row',
      '3',
      '--from',
      '2026-01-01',
    ]);
    const id = (JSON.parse(set.stdout) as { id: number }).id;
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const page = await get(f.web, clerk, '/tariffs');
    expect(page.body).toContain(`action="/tariffs/${id}/end"`);
    expect(page.body).toContain(`id="f-at-${id}"`);
    const wrong = await post(f.web, clerk, `/tariffs/${id}/end`, { at: '2025-01-01' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain(`id="f-at-${id}-error"`);
    const ended = await post(f.web, clerk, `/tariffs/${id}/end`, { at: '2030-01-01' });
    expect(ended.statusCode, ended.body).toBe(303);
    expect(ended.headers.location).toBe(`/tariffs?done=ended&id=${id}`);
    const row = await f.database.db
      .selectFrom('xm_system.tariffs')
      .select('valid_until')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(new Date(row.valid_until as unknown as string).toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect((await f.audit('tariff.end', 'clerk')).length).toBe(1);
    expect((await post(f.web, clerk, '/tariffs/999999/end', {})).statusCode).toBe(400);
  });

  test('a read-only user has no End button; a forged POST is 403 and audited; no token, refused', async () => {
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    expect((await get(f.web, reader, '/tariffs')).body).not.toContain('/end"');
    expect((await post(f.web, reader, '/tariffs/1/end', { at: '2031-01-01' })).statusCode).toBe(403);
    expect((await f.audit('auth.forbidden', 'reader')).map((a) => a.target)).toContain(
      'console POST /tariffs/:id/end',
    );
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    expect((await post(f.web, { ...clerk, csrf: '' }, '/tariffs/1/end', {})).statusCode).toBe(403);
  });
});
