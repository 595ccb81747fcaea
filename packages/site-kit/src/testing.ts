import type { SiteDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import type { SiteCentre } from './context.js';
import { createSiteKit, type SiteKit } from './kit.js';
import { siteKitMigrations } from './migrations.js';
import type { RecordType } from './record-type.js';
import { insertUser, type SessionUser } from './users.js';

/** The passwords of the test users `head`, `secretary` and `agent`. */
export const testPasswords = {
  head: 'head-password',
  secretary: 'secretary-password',
  agent: 'agent-password',
} as const;

export interface TestKit {
  readonly database: TestDatabase<SiteDatabase>;
  readonly kit: SiteKit;
  readonly head: SessionUser;
  readonly secretary: SessionUser;
  readonly agent: SessionUser;
  readonly centre: SiteCentre;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A fresh site database for one test file (PGlite, or a new PostgreSQL database when DATABASE_URL
 * names one), migrated for `recordTypes`, with a head, a secretary and an agent (`testPasswords`)
 * acting from the workstation `test-workstation`.
 */
export async function createTestKit(options: {
  readonly recordTypes: readonly RecordType[];
  readonly centre?: SiteCentre;
  readonly today?: () => string;
  readonly settings?: () => Promise<unknown>;
}): Promise<TestKit> {
  const database = await createTestDatabase<SiteDatabase>({
    migrations: siteKitMigrations(options.recordTypes),
  });
  const centre = options.centre ?? { matricule: 'TEST-SITE-01', centreCode: '100001' };
  const kit = createSiteKit({
    db: database.db,
    recordTypes: options.recordTypes,
    centre,
    ...(options.today ? { today: options.today } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const make = async (login: keyof typeof testPasswords, privilege: 1 | 2 | 3): Promise<SessionUser> => {
    const user = await insertUser(database.db, { login, privilege, password: testPasswords[login] });
    return { id: user.id, login, privilege, workstation: 'test-workstation' };
  };
  const head = await make('head', 3);
  const secretary = await make('secretary', 2);
  const agent = await make('agent', 1);
  const close = () => database.close();
  return { database, kit, head, secretary, agent, centre, close, [Symbol.asyncDispose]: close };
}
