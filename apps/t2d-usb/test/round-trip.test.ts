import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T2dError } from '../src/errors.js';
import { batchDirectory, keyManifestSigner, TEMPORARY_PREFIX, writeBatch } from '../src/medium/index.js';
import { ingestMedium } from '../src/transfer/server-ingest.js';
import { exportToMedium } from '../src/transfer/site-export.js';
import { importFromMedium } from '../src/transfer/site-import.js';
import { createTestCodec } from './helpers/test-codec.js';
import {
  addBirths,
  MATRICULE,
  openWorld,
  SERVER,
  serverBirths,
  siteStatuses,
  type World,
} from './helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await openWorld();
}, 120_000);
afterAll(async () => {
  await world.close();
});

const exportSite = (w: World) =>
  exportToMedium({
    sync: w.site.sync,
    medium: w.medium,
    matricule: w.site.party.matricule,
    serverMatricule: SERVER,
    signer: w.site.signer,
  });
const ingest = (w: World) =>
  ingestMedium({
    sync: w.server.sync,
    medium: w.medium,
    serverMatricule: SERVER,
    verifier: w.server.verifier,
    signer: w.server.signer,
  });
const importSite = (w: World) =>
  importFromMedium({
    db: w.site.db,
    sync: w.site.sync,
    medium: w.medium,
    matricule: w.site.party.matricule,
    serverMatricule: SERVER,
    verifier: w.site.verifier,
  });

describe('site -> medium -> server -> medium -> site', () => {
  it('carries rows and their receipts, skipping a corrupt file until the next trip', async () => {
    const w = world;
    await w.reset({ maxRows: 2 });
    await addBirths(w, 5);

    const exported = await exportSite(w);
    expect(exported).toMatchObject({ sealed: 3, items: 3, rows: 5, written: 3 });
    expect(await siteStatuses(w)).toEqual([3, 3, 3, 3, 3]);

    // Damage the second container on the stick.
    const folder = batchDirectory(w.medium, SERVER, 'CEC-001');
    const manifest = JSON.parse(await readFile(join(w.medium, exported.manifest as string), 'utf8'));
    const victim = join(folder, manifest.manifest.files[1].name);
    const bytes = await readFile(victim);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await writeFile(victim, bytes);

    const first = await ingest(w);
    expect(first).toMatchObject({ containers: 2, applied: 2, duplicates: 0, rowsAccepted: 3 });
    expect(first.issues.map((issue) => issue.kind)).toEqual(['corrupt']);
    expect(first.replyBatches).toEqual([
      expect.objectContaining({ site: 'CEC-001', replies: 2, written: 2 }),
    ]);
    expect((await serverBirths(w)).map((row) => row.origin_numero)).toEqual([1, 2, 5]);

    const imported = await importSite(w);
    expect(imported).toMatchObject({ containers: 2, duplicates: 0, rowsAccepted: 3, stillWaiting: 1 });
    expect(imported.applied.receipt).toBe(2);
    expect(await siteStatuses(w)).toEqual([4, 4, 3, 3, 4]);

    // Next trip: the waiting item goes again and replaces the damaged file; the rest is answered again.
    const again = await exportSite(w);
    expect(again).toMatchObject({ sealed: 0, items: 1, written: 1 });
    const second = await ingest(w);
    expect(second).toMatchObject({ applied: 1, duplicates: 2, rowsAccepted: 2 });
    expect(second.issues).toEqual([]);
    const last = await importSite(w);
    expect(last).toMatchObject({ rowsAccepted: 2, duplicates: 2, stillWaiting: 0 });
    expect(await siteStatuses(w)).toEqual([4, 4, 4, 4, 4]);
    expect((await serverBirths(w)).map((row) => row.origin_numero)).toEqual([1, 2, 3, 4, 5]);
  });

  it('ingests the same medium twice without duplicating a row or a reply file', async () => {
    const w = world;
    await w.reset({ maxRows: 3 });
    await addBirths(w, 7);
    await exportSite(w);
    const first = await ingest(w);
    expect(first).toMatchObject({ applied: 3, rowsAccepted: 7 });
    const filesAfterFirst = await readdir(batchDirectory(w.medium, 'CEC-001', SERVER));

    const second = await ingest(w);
    expect(second).toMatchObject({ applied: 0, duplicates: 3, rowsAccepted: 0 });
    expect(second.replyBatches[0]).toMatchObject({ replies: 3, written: 0, alreadyPresent: 3 });
    expect(await serverBirths(w)).toHaveLength(7);
    const filesAfterSecond = await readdir(batchDirectory(w.medium, 'CEC-001', SERVER));
    // One more manifest, no more containers.
    expect(filesAfterSecond.filter((name) => name.endsWith('.sdc')).sort()).toEqual(
      filesAfterFirst.filter((name) => name.endsWith('.sdc')).sort(),
    );

    // The site reads both batches (old files included) and applies each receipt once.
    const imported = await importSite(w);
    expect(imported).toMatchObject({ containers: 3, rowsAccepted: 7, duplicates: 0, stillWaiting: 0 });
    const twice = await importSite(w);
    expect(twice).toMatchObject({ containers: 3, rowsAccepted: 0, duplicates: 3 });
    expect(await siteStatuses(w)).toEqual([4, 4, 4, 4, 4, 4, 4]);
  });

  it('treats an export interrupted mid-batch as not sent, and completes it on the next export', async () => {
    const w = world;
    await w.reset({ maxRows: 1 });
    await addBirths(w, 3);
    // The stick is pulled out after the containers, before the manifest: the signer never returns.
    const pulled = keyManifestSigner(w.site.party.privateKey);
    await expect(
      exportToMedium({
        sync: w.site.sync,
        medium: w.medium,
        matricule: 'CEC-001',
        serverMatricule: SERVER,
        signer: { ...pulled, sign: () => Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })) },
      }),
    ).rejects.toSatisfy((error) => T2dError.isInstance(error) && error.code === 'medium-unwritable');
    const folder = batchDirectory(w.medium, SERVER, 'CEC-001');
    // ...and a fourth file was being written at that moment.
    await writeFile(join(folder, `${TEMPORARY_PREFIX}cut`), 'half a contai');

    const nothing = await ingest(w);
    expect(nothing).toMatchObject({ containers: 0, applied: 0 });
    expect(nothing.issues.map((issue) => issue.kind).sort()).toEqual([
      'interrupted-write',
      'unlisted',
      'unlisted',
      'unlisted',
    ]);
    expect(await serverBirths(w)).toHaveLength(0);

    const resent = await exportSite(w);
    expect(resent).toMatchObject({ items: 3, written: 0, alreadyPresent: 3, removedTemporary: 1 });
    expect(await ingest(w)).toMatchObject({ applied: 3, rowsAccepted: 3, issues: [] });
    expect(await importSite(w)).toMatchObject({ rowsAccepted: 3, stillWaiting: 0 });
  });

  it('refuses containers too old to be anything but a replay, and the site gets its rows back to fix', async () => {
    const fortyDaysAgo = new Date(Date.now() - 40 * 86_400_000);
    const w = world;
    await w.reset({ siteClock: () => fortyDaysAgo });
    await addBirths(w, 2);
    await exportSite(w);
    const ingested = await ingest(w);
    expect(ingested).toMatchObject({ applied: 0, replays: 1, rowsAccepted: 0 });
    expect(await serverBirths(w)).toHaveLength(0);
    const imported = await importSite(w);
    expect(imported).toMatchObject({ rowsRejected: 2, stillWaiting: 0 });
    expect(await siteStatuses(w)).toEqual([1, 1]);
    expect((await w.site.sync.rejections()).map((r) => r.reason)).toEqual(['replay', 'replay']);
  });

  it('refuses a container sealed again under a sequence number already used', async () => {
    const w = world;
    await w.reset();
    await addBirths(w, 1);
    await exportSite(w);
    await ingest(w);
    // A site database restored from an old backup seals other rows under sequence 1 again.
    const restored = createTestCodec(w.site.party, [w.server.party]);
    const sealed = await restored.seal({
      sender: MATRICULE,
      recipient: SERVER,
      sequence: 1,
      table: 'births',
      body: { kind: 'rows', rows: [{ numero: 9 }] },
    });
    await writeBatch({
      medium: w.medium,
      sender: MATRICULE,
      recipient: SERVER,
      containers: [sealed.bytes],
      signer: w.site.signer,
    });
    const replayed = await ingest(w);
    expect(replayed).toMatchObject({ applied: 0, duplicates: 1, replays: 1 });
    expect(await serverBirths(w)).toHaveLength(1);
  });

  it('ignores a medium folder signed by a key the server does not hold for that site', async () => {
    const w = world;
    await w.reset();
    await addBirths(w, 2);
    await exportToMedium({
      sync: w.site.sync,
      medium: w.medium,
      matricule: 'CEC-001',
      serverMatricule: SERVER,
      signer: w.server.signer,
    });
    const ingested = await ingest(w);
    expect(ingested).toMatchObject({ containers: 0, applied: 0 });
    expect(ingested.issues.map((issue) => issue.kind)).toEqual(['bad-signature', 'unlisted']);
  });
});
