// Server apply rate into PostgreSQL, container verification included (CMS decrypt, signature, signer
// looked up in the certificate register), for 1, 10 and 50 rows per container.
// Run: npm run bench -w @xmcomm/status-sync  (DATABASE_URL defaults to this machine's PostgreSQL)
import { randomBytes } from 'node:crypto';
import { migrateToLatest, openDatabase, type ServerDatabase, serverMigrations } from '@xmcomm/schema';
import { sampleBirth } from '@xmcomm/schema/testing';
import { sql } from 'kysely';
import { createServerSync } from '../src/index.js';
import { issueIdentities, registerCertificate, serverCodec, siteCodec } from '../test/helpers/identities.js';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const name = `xm_bench_${randomBytes(4).toString('hex')}`;
// biome-ignore lint/suspicious/noExplicitAny: administrative connection
const admin = await openDatabase<any>(serverUrl, { maxConnections: 1 });
await sql`create database ${sql.id(name)}`.execute(admin);
const target = new URL(serverUrl);
target.pathname = `/${name}`;
const db = await openDatabase<ServerDatabase>(target.toString(), { maxConnections: 8 });

try {
  await migrateToLatest(db, serverMigrations);
  const ids = await issueIdentities('XMSERVER', ['CEC-0001']);
  const site = ids.sites[0];
  if (!site) throw new Error('no site');
  await db
    .insertInto('xm_system.clients')
    .values({ matricule: 'CEC-0001', name: 'Bench', status: 3, password_hash: 'x' })
    .execute();
  await registerCertificate(db, site);
  // Revocation is seen within 5 s: the signer lookup is cached that long, as in production.
  const server = createServerSync({ db, codec: serverCodec(db, ids), serverMatricule: 'XMSERVER' });
  const codec = siteCodec(site, ids);

  let sequence = 0;
  let numero = 0;
  async function seal(rowsPerContainer: number, containers: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (let c = 0; c < containers; c++) {
      const rows = Array.from({ length: rowsPerContainer }, () => {
        numero++;
        return { numero, ...sampleBirth, niu: `BENCH-${numero}` };
      });
      sequence++;
      const sealed = await codec.seal({
        sender: 'CEC-0001',
        recipient: null,
        sequence,
        table: 'births',
        body: { kind: 'rows', rows },
      });
      out.push(sealed.bytes);
    }
    return out;
  }

  async function measure(label: string, rowsPerContainer: number, containers: number, inFlight: number) {
    const batch = await seal(rowsPerContainer, containers);
    const bytes = batch.reduce((sum, b) => sum + b.length, 0);
    let next = 0;
    let accepted = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < batch.length) {
          const container = batch[next++] as Uint8Array;
          const outcome = await server.applyContainer(container);
          accepted += outcome.accepted;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (accepted !== rowsPerContainer * containers) throw new Error(`${label}: ${accepted} rows accepted`);
    console.log(
      `${label.padEnd(34)} ${String(containers).padStart(5)} containers ${(containers / seconds).toFixed(0).padStart(6)} containers/s ${((containers * rowsPerContainer) / seconds).toFixed(0).padStart(7)} rows/s  (avg ${(bytes / containers).toFixed(0)} B/container)`,
    );
  }

  // Warm-up: JIT, connections, the signer cache.
  await measure('warm-up', 10, 50, 4);
  for (const inFlight of [1, 8]) {
    await measure(`1 row/container, ${inFlight} in flight`, 1, 1500, inFlight);
    await measure(`10 rows/container, ${inFlight} in flight`, 10, 300, inFlight);
    await measure(`50 rows/container, ${inFlight} in flight`, 50, 150, inFlight);
  }
  const { count } = await db
    .selectFrom('xm_data.births')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  console.log(`rows stored: ${count}, each exactly once`);
} finally {
  await db.destroy();
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
}
