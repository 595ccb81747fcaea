import { type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, sampleBirth } from '@xmcomm/schema/testing';
import {
  authenticate,
  type CentreContext,
  defaultRules,
  draftAct,
  formatNiu,
  insertUser,
  parseNiu,
  validateAct,
  verifyAct,
} from '../src/index.js';

// Figures, not assertions: NIU formatting and checking, and the act workflow on the test database
// (embedded PGlite, or PostgreSQL when DATABASE_URL is set).

function time(label: string, count: number, body: () => void) {
  const start = process.hrtime.bigint();
  body();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label}: ${Math.round(count / seconds).toLocaleString('en')} per second`);
}

const count = 200_000;
time('formatNiu', count, () => {
  for (let i = 1; i <= count; i++) formatNiu({ centreCode: '102034', year: 2026, sequence: i });
});
const nius = Array.from({ length: 10_000 }, (_, i) =>
  formatNiu({ centreCode: '102034', year: 2026, sequence: i + 1 }),
);
time('parseNiu', count, () => {
  for (let i = 0; i < count; i++) parseNiu(nius[i % nius.length]);
});

const database = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
try {
  const ctx: CentreContext = {
    db: database.db,
    centre: { matricule: 'BENCH-01', centreCode: '102034' },
    rules: defaultRules,
    today: () => '2026-03-15',
  };
  await insertUser(database.db, { login: 'chef', privilege: 3, password: 'officer-password' });
  await insertUser(database.db, { login: 'sec', privilege: 2, password: 'secretary-password' });
  await insertUser(database.db, { login: 'ali', privilege: 1, password: 'agent-password' });
  const officer = await authenticate(database.db, 'chef', 'officer-password');
  const secretary = await authenticate(database.db, 'sec', 'secretary-password');
  const agent = await authenticate(database.db, 'ali', 'agent-password');
  const acts = 100;
  const start = process.hrtime.bigint();
  for (let i = 0; i < acts; i++) {
    const ref = await draftAct(ctx, agent, 'birth', { ...sampleBirth, child_given_names: `Child ${i}` });
    await verifyAct(ctx, secretary, ref);
    await validateAct(ctx, officer, 'officer-password', ref);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `draft + verify + validate (NIU, signature) on ${database.kind}: ${Math.round((acts / seconds) * 60)} acts per minute`,
  );
} finally {
  await database.close();
}
