import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SiteKitError } from '../src/index.js';
import { createTestKit, type TestKit } from '../src/testing.js';
import { licence, sampleLicence } from './licences.js';

// A batch drafted all or none (`records.draftMany`), on PGlite (default) and PostgreSQL (DATABASE_URL).

let t: TestKit;

beforeAll(async () => {
  t = await createTestKit({ recordTypes: [licence], today: () => '2026-03-15' });
});
afterAll(() => t?.close());

const count = async (table: string) =>
  Number(
    (
      await t.database.db
        // biome-ignore lint/suspicious/noExplicitAny: the licence table is declared by the test
        .selectFrom(table as any)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('records.draftMany', () => {
  test('one refused item stores nothing, and every refused item is named with each problem', async () => {
    const before = await count(licence.table.qualifiedName);
    const events = await count('xm_site.act_events');
    const result = await t.kit.records.draftMany(t.agent, [
      { type: 'licence', input: sampleLicence },
      { type: 'licence', input: { ...sampleLicence, date_of_issue: '2026-04-01' } },
      { type: 'licence', input: sampleLicence },
      { type: 'licence', input: { ...sampleLicence, trade: 'piracy', employees: 'many' } },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(
      result.refused.map((item) => [item.index, item.errors.map((e) => `${e.field}:${e.code}`)]),
    ).toEqual([
      [1, ['date_of_issue:in-the-future']],
      [3, expect.arrayContaining([expect.stringMatching(/^trade:/), expect.stringMatching(/^employees:/)])],
    ]);
    expect(await count(licence.table.qualifiedName)).toBe(before);
    expect(await count('xm_site.act_events')).toBe(events);
  });

  test('with no refusal every item is a draft, in order, with the history draft would write', async () => {
    const progress: string[] = [];
    const result = await t.kit.records.draftMany(
      t.agent,
      Array.from({ length: 450 }, (_, index) => ({
        type: 'licence',
        input: { ...sampleLicence, holder_surname: `Holder${index}` },
      })),
      { onProgress: (phase, done, total) => progress.push(`${phase} ${done}/${total}`) },
    );
    if (!result.ok) throw new Error('refused');
    expect(result.refs).toHaveLength(450);
    const numeros = result.refs.map((ref) => ref.numero);
    expect([...numeros].sort((a, b) => a - b)).toEqual(numeros);
    const third = await t.kit.records.get(t.agent, result.refs[2]!);
    expect(third.status).toBe(1);
    expect(third.fields.holder_surname).toBe('Holder2');
    expect((await t.kit.records.history(t.agent, result.refs[2]!)).map((e) => [e.kind, e.user])).toEqual([
      ['drafted', 'agent'],
    ]);
    expect(progress).toEqual(['checking 450/450', 'storing 200/450', 'storing 400/450', 'storing 450/450']);
  });

  test('verify needs the verify privilege for the whole batch, and marks each item verified', async () => {
    const items = [{ type: 'licence', input: sampleLicence }];
    await expect(t.kit.records.draftMany(t.agent, items, { verify: true })).rejects.toSatisfy(
      (error) => error instanceof SiteKitError && error.code === 'forbidden',
    );
    const result = await t.kit.records.draftMany(t.secretary, items, { verify: true });
    if (!result.ok) throw new Error('refused');
    const ref = result.refs[0]!;
    expect((await t.kit.records.history(t.secretary, ref)).map((e) => e.kind)).toEqual([
      'drafted',
      'verified',
    ]);
    // Verified as `records.verify` leaves it: the head can validate it at once.
    const validation = await t.kit.records.validate(t.head, 'head-password', ref);
    expect(validation.niu).toMatch(/^100001-2026-/);
  });
});
