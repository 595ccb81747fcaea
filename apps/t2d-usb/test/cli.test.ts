import { join } from 'node:path';
import { openDatabase, type ServerDatabase, type SiteDatabase } from '@xmcomm/schema';
import { sampleBirth } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSite } from '../src/setup.js';
import { type CliWorld, openCliWorld } from './helpers/cli-world.js';

// The real thing: the t2d command spawned from source, real certificates from @xmcomm/pki, CMS
// containers from @xmcomm/sdc-codec, databases migrated by the command itself.

let world: CliWorld;
let medium: string;
let work: string;
let siteUrl: string;
let serverUrl: string;
let env: NodeJS.ProcessEnv;
const t2d = (args: string[], extra: NodeJS.ProcessEnv = {}) => world.spawn(args, extra);
const siteArgs = () => world.siteArgs();
const serverArgs = () => world.serverArgs();

beforeAll(async () => {
  world = await openCliWorld('cli');
  ({ medium, work, siteUrl, serverUrl, env } = world);
  await world.addBirths(3, 'CLI');
}, 300_000);

afterAll(async () => {
  await world?.close();
});

describe('t2d command', () => {
  it('carries rows site -> stick -> server -> stick -> site with real certificates and CMS', async () => {
    const exported = await t2d(['--json', 'export', '--to', medium, ...siteArgs()]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({
      command: 'export',
      sealed: 1,
      items: 1,
      rows: 3,
      written: 1,
    });

    const ingested = await t2d(['--json', 'ingest', '--from', medium, ...serverArgs()]);
    expect(ingested.stderr).toBe('');
    expect(JSON.parse(ingested.stdout)).toMatchObject({
      applied: 1,
      rowsAccepted: 3,
      issues: [],
      refused: {},
    });
    expect(ingested.code).toBe(0);

    const imported = await t2d(['--lang', 'fr', 'import', '--from', medium, ...siteArgs()]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('fiches acceptées 3');
    expect(imported.stdout).toContain('0 envoi(s) attendent encore leur accusé');
  }, 180_000);

  it('carries an import request and its answer by stick, through the real codec', async () => {
    // Acts another centre sent earlier, stored on the server at status 2.
    const server = await openDatabase<ServerDatabase>(serverUrl);
    await server
      .insertInto('xm_data.births')
      .values(
        [1, 2, 3].map((n) => ({
          ...sampleBirth,
          child_given_names: `Other ${n}`,
          status: 2,
          niu: `OTHER-${n}`,
          origin_matricule: 'CEC-999',
          origin_numero: n,
        })) as never,
      )
      .execute();
    await server.destroy();
    // The site queues the request itself (ecr import does this), with an operator and an order
    // sdc-codec v1 could not carry before.
    const site = await openSite(
      {
        databaseUrl: siteUrl,
        matricule: 'CEC-001',
        key: join(work, 'site-key.pem'),
        certificate: join(work, 'site.pem'),
        serverCertificate: join(work, 'server.pem'),
      },
      env,
    );
    try {
      const queued = await site.sync.requestImport({
        table: 'births',
        conditions: [
          { field: 'origin_matricule', op: '=', value: 'CEC-999' },
          { field: 'origin_numero', op: 'between', value: [2, 3] },
        ],
        order: [{ field: 'origin_numero', direction: 'desc' }],
      });
      expect(queued.ok).toBe(true);
    } finally {
      await site.db.destroy();
    }

    const exported = await t2d(['--json', 'export', '--to', medium, ...siteArgs()]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ items: 1 });
    const ingested = await t2d(['--json', 'ingest', '--from', medium, ...serverArgs()]);
    expect(ingested.code, ingested.stderr).toBe(0);
    expect(JSON.parse(ingested.stdout)).toMatchObject({ applied: 1, refused: {} });
    const imported = await t2d(['--json', 'import', '--from', medium, ...siteArgs()]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      applied: { receipt: 1, 'import-response': 1 },
      stillWaiting: 0,
    });
    const check = await openDatabase<SiteDatabase>(siteUrl);
    try {
      const rows = await check
        .selectFrom('xm_data.births')
        .select(['origin_matricule', 'origin_numero', 'status'])
        .where('origin_matricule', '=', 'CEC-999')
        .orderBy('origin_numero')
        .execute();
      expect(rows).toEqual([
        { origin_matricule: 'CEC-999', origin_numero: 2, status: 2 },
        { origin_matricule: 'CEC-999', origin_numero: 3, status: 2 },
      ]);
    } finally {
      await check.destroy();
    }
  }, 180_000);

  it('says what is wrong, with the exit code of the table', async () => {
    const missing = await t2d(['ingest', '--from', join(work, 'no-stick'), ...serverArgs()]);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain('is not there');
    const wrongPassphrase = await t2d(['ingest', '--from', medium, ...serverArgs()], {
      XM_KEY_PASSPHRASE: 'wrong',
    });
    expect(wrongPassphrase.code).toBe(77);
    const usage = await t2d(['export']);
    expect(usage.code).toBe(64);
  }, 180_000);
});
