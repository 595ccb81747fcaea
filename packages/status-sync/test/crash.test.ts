import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ServerStep, type SiteStep, serverSteps, siteSteps } from '../src/index.js';
import {
  createWorld,
  serverBirthsFrom,
  serverFor,
  siteFor,
  siteMatricule,
  statusesAtSite,
  validatedBirths,
  type World,
} from './helpers/setup.js';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});
afterAll(() => world?.close());

class InjectedCrash extends Error {}

/** A hook that throws once, the first time the given step is reached. */
function crashOnceAt<S extends string>(target: S | null) {
  let armed = target !== null;
  return {
    hook: (step: S) => {
      if (armed && step === target) {
        armed = false;
        throw new InjectedCrash(`crash at ${step}`);
      }
    },
    fired: () => target !== null && !armed,
  };
}

async function scenario(siteCrash: SiteStep | null, serverCrash: ServerStep | null) {
  await sql`truncate xm_data.births, xm_site.outbox, xm_site.sealed_rows, xm_site.inbox, xm_site.rejections, xm_site.counters`.execute(
    world.site.db,
  );
  await sql`truncate xm_data.births, xm_system.received_containers`.execute(world.server.db);
  const numeros = await validatedBirths(world.site.db, 3);
  const siteCrashOnce = crashOnceAt(siteCrash);
  const serverCrashOnce = crashOnceAt(serverCrash);
  // Two rows per container, so a crash leaves work both done and pending.
  const site = siteFor(world, { maxRows: 2, onStep: siteCrashOnce.hook });
  const server = serverFor(world, { onStep: serverCrashOnce.hook });
  const survive = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof InjectedCrash)) throw error;
      return undefined;
    }
  };
  // The site's service loop: export, send what is due, deliver replies. Each round restarts after a crash.
  for (let round = 0; round < 10; round++) {
    await survive(() => site.exportRows());
    const items = await site.nextItems(100);
    if (items.length === 0 && (await site.exportRows()).length === 0) break;
    for (const item of items) {
      await site.markSent(item.id);
      const outcome = await survive(() => server.applyContainer(item.payload));
      for (const reply of outcome?.replies ?? []) await survive(() => site.receive(reply));
    }
  }
  return { numeros, fired: siteCrashOnce.fired() || serverCrashOnce.fired() };
}

async function expectExactlyOnce(numeros: number[]) {
  expect(await statusesAtSite(world.site.db, numeros)).toEqual(numeros.map(() => 4));
  const stored = await serverBirthsFrom(world.server.db, siteMatricule);
  expect(stored.map((r) => r.origin_numero)).toEqual(numeros);
  const pending = await world.site.db
    .selectFrom('xm_site.outbox')
    .select('id')
    .where('state', '!=', 'acknowledged')
    .execute();
  expect(pending).toEqual([]);
}

describe('a crash between any two steps, then recovery: every row once on the server, at 4 at the site', () => {
  test.each(siteSteps.map((step) => [step]))('site crashes at %s', async (step) => {
    const { numeros, fired } = await scenario(step, null);
    expect(fired).toBe(true);
    await expectExactlyOnce(numeros);
  });

  test.each(serverSteps.map((step) => [step]))('server crashes at %s', async (step) => {
    const { numeros, fired } = await scenario(null, step);
    expect(fired).toBe(true);
    await expectExactlyOnce(numeros);
  });
});
