import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTrustList,
  readQrFromPdf,
  readTrustList,
  trustListToText,
  verifySeal,
} from '@xmcomm/documents';
import { compileDefinition, installForm, loadForms, serverFormsMigrations } from '@xmcomm/forms';
import { type TrustStore, unwrap } from '@xmcomm/pki';
import {
  type AnyTable,
  exchangedTables,
  issuedDocuments,
  type ServerDatabase,
  type SiteDatabase,
  serverMigrations,
} from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { formRecordType, siteFormRecordTypes } from '@xmcomm/site-kit/forms';
import { createRecordSync, createSiteLink, type RecordSync } from '@xmcomm/site-kit/sync';
import { createTestKit, testPasswords } from '@xmcomm/site-kit/testing';
import { createSdcCodec, createServerSync, type ServerSync, statusGateOnly } from '@xmcomm/status-sync';
import {
  browserUnavailable,
  launchBrowser,
  saveScreenshot,
  screenshotDirectory,
  type TestBrowser,
} from '@xmcomm/web-kit/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { docstreamMigrations, runCli } from '../src/index.js';
import { diplomaFields } from './fixtures.js';
import { identities } from './helpers.js';

// The issue's test: a diploma type defined in a file, installed on the server and a site, issued in
// chromium (agent drafts, secretary verifies, officer validates), printed with its seal, centralised
// through status-sync in this process (what a stick would carry), verified offline against the trust
// list; a site whose definition differs is refused with schema-mismatch, visible on its record.
// On PGlite (default) and PostgreSQL (DATABASE_URL set). Screenshots: test-artifacts/screenshots/docstream-*.

const unavailable = browserUnavailable();
const examples = new URL('../examples/', import.meta.url);
const diplomaFile = new URL('diploma.json', examples).pathname;
const cardFile = new URL('registration-card.json', examples).pathname;
const serverName = 'XMS-DOCS';
const centre = { matricule: 'OBC-YDE-01', centreCode: '300101', name: 'Office du Bac, Yaoundé' };
const today = '2026-12-08';
const passwords = { chef: 'officer-password-1', sec: 'secretary-password-1', ali: 'agent-password-1' };

let dir: string;
let site: TestDatabase<SiteDatabase>;
let server: TestDatabase<ServerDatabase>;
let ids: Awaited<ReturnType<typeof identities>>;
let serverSync: ServerSync;
let serverTrust: TrustStore;
let trustListText: string;
let browser: TestBrowser | undefined;
const stop = new AbortController();
let serving: Promise<number> | undefined;
let url = '';

async function docstream(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dir, ...args], {
    env: { DOCSTREAM_USER: 'chef', DOCSTREAM_PASSWORD: passwords.chef, ...env },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    today: () => today,
    openDatabase: async () => ({ db: site.db, close: async () => {} }),
    documentSigner: async () => ({
      privateKey: ids.document.privateKey,
      certificate: new Uint8Array(ids.document.der),
    }),
  });
  return { code, stdout, stderr };
}

const serverTables: AnyTable[] = [...(exchangedTables as readonly AnyTable[])];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'docstream-'));
  ids = await identities(serverName, centre.matricule);
  site = await createTestDatabase<SiteDatabase>({ migrations: docstreamMigrations });
  server = await createTestDatabase<ServerDatabase>({
    migrations: { ...serverMigrations, ...serverFormsMigrations },
  });
  serverTrust = ids.trusting(ids.site.certificate);
  // The central server: the operator installs the definition (what `xmserver forms install` runs).
  await installForm(server.db, 'server', await readFile(diplomaFile, 'utf8'), { by: 'operator' });
  await server.db
    .insertInto('xm_system.clients')
    .values({
      matricule: centre.matricule,
      centre_code: centre.centreCode,
      name: centre.name,
      status: 3,
      password_hash: 'x',
    })
    .execute();
  serverSync = createServerSync({
    db: server.db,
    serverMatricule: serverName,
    tables: serverTables,
    charging: statusGateOnly,
    codec: createSdcCodec({
      signer: ids.server,
      recipient: ids.server,
      signers: serverTrust,
      recipientsFor: (matricule) => [
        { certificate: matricule === centre.matricule ? ids.site.certificate : siteB.certificate },
      ],
      tables: serverTables,
    }),
  });
  trustListText = trustListToText(
    createTrustList(
      {
        sequence: 1,
        issuedAt: new Date(),
        expiresAt: new Date(Date.now() + 30 * 86_400_000),
        issuer: serverName,
        caCertificate: ids.root.der,
        signers: [{ certificate: ids.document.der, label: `${centre.name} (documents)` }],
        revocations: [],
      },
      { privateKey: ids.server.privateKey, chain: [ids.server.der] },
    ),
  );

  // The centre: set up, the officer installs the same file, adds a secretary and an agent.
  const init = await docstream(
    [
      'init',
      '--matricule',
      centre.matricule,
      '--centre-code',
      centre.centreCode,
      '--name',
      centre.name,
      '--officer',
      'chef',
    ],
    { DOCSTREAM_NEW_PASSWORD: passwords.chef },
  );
  expect(init.code, init.stderr).toBe(0);
  const installed = await docstream(['--json', 'forms', 'install', diplomaFile]);
  expect(installed.code, installed.stderr).toBe(0);
  for (const [login, role] of [
    ['sec', 'secretary'],
    ['ali', 'agent'],
  ] as const) {
    const added = await docstream(['user', 'add', login, '--role', role], {
      DOCSTREAM_NEW_PASSWORD: passwords[login],
    });
    expect(added.code, added.stderr).toBe(0);
  }
  if (!unavailable) {
    serving = runCli(['--data-dir', dir, 'serve', '--port', '0'], {
      env: {},
      stdout: () => {},
      stderr: () => {},
      today: () => today,
      signal: stop.signal,
      openDatabase: async () => ({ db: site.db, close: async () => {} }),
      documentSigner: async () => ({
        privateKey: ids.document.privateKey,
        certificate: new Uint8Array(ids.document.der),
      }),
      onListening: (address) => {
        url = address;
      },
    });
    while (!url) await new Promise((resolve) => setTimeout(resolve, 20));
    browser = await launchBrowser();
  }
}, 180_000);

let siteB: { certificate: string };

afterAll(async () => {
  stop.abort();
  await serving;
  await browser?.close();
  await site?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function logIn(page: Page, login: string, password: string) {
  await page.goto(`${url}/login`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([page.waitForNavigation(), page.locator('form button[type="submit"]').first().click()]);
}

const french = { locale: 'fr-FR', extraHTTPHeaders: { 'accept-language': 'fr' } };
const mainText = async (page: Page) => (await page.locator('main').first().textContent()) ?? '';

/** What a carrier does: every due item to the server, every reply back to the site. */
async function carry(sync: RecordSync): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const items = await sync.site.nextItems(100);
    if (items.length === 0) return;
    for (const item of items) {
      await sync.site.markSent(item.id);
      const outcome = await serverSync.applyContainer(item.payload);
      for (const reply of outcome.replies) await sync.receive(reply);
    }
  }
  throw new Error('the outbox does not empty');
}

describe('docstream forms', () => {
  test('`forms list` on the site and the server show the same fingerprint', async () => {
    const listed = await docstream(['--json', 'forms', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    const [siteForm] = JSON.parse(listed.stdout) as { name: string; version: number; fingerprint: string }[];
    const [serverForm] = await loadForms(server.db, 'server');
    expect(siteForm).toMatchObject({
      name: 'diploma',
      version: 1,
      fingerprint: serverForm?.table.fingerprint,
    });
  });

  test('a broken definition is refused with its lines, exit 8, nothing installed', async () => {
    const bad = join(dir, 'bad.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(bad, '{\n  "format": "xmcomm-form/1",\n  "name": "x",\n  "table": "select"\n}\n');
    const run = await docstream(['--lang', 'fr', 'forms', 'install', bad]);
    expect(run.code).toBe(8);
    expect(run.stderr).toContain(
      'ligne 4, colonne 12 ($.table) : « select » est une table de la plateforme ou un nom réservé',
    );
    const agent = await docstream(['forms', 'install', diplomaFile], {
      DOCSTREAM_USER: 'ali',
      DOCSTREAM_PASSWORD: passwords.ali,
    });
    expect(agent.code).toBe(5);
  });
});

describe.skipIf(unavailable)('a diploma issued in chromium, printed, centralised, verified offline', () => {
  test('agent drafts, secretary verifies, officer validates and prints; the server stores it; the seal is VALID', async () => {
    const b = browser as TestBrowser;
    const agent = await b.newPage(french);
    await logIn(agent.page, 'ali', passwords.ali);
    await agent.page.goto(`${url}/records/new/diploma`);
    expect(await mainText(agent.page)).toContain('Date de délibération');
    for (const [field, value] of Object.entries(diplomaFields)) {
      const input = agent.page.locator(`#f-${field}`);
      const tag = await input.evaluate((element) => element.tagName);
      if (tag === 'SELECT') await input.selectOption(value);
      else await input.fill(value);
    }
    // First a rule of the definition: the points above the maximum are refused beside the field.
    await agent.page.locator('#f-score_points').fill('380');
    await Promise.all([
      agent.page.waitForNavigation(),
      agent.page.locator('main form[method="post"] button[type="submit"]').first().click(),
    ]);
    expect(await mainText(agent.page)).toContain('Les points ne peuvent dépasser le maximum.');
    await saveScreenshot(agent.page, 'docstream-diploma-rule-fr');
    await agent.page.locator('#f-score_points').fill(diplomaFields.score_points);
    await Promise.all([
      agent.page.waitForURL(/\/records\/D\d+/),
      agent.page.locator('main form[method="post"] button[type="submit"]').first().click(),
    ]);
    const ref = /\/records\/(D\d+)/.exec(agent.page.url())?.[1] ?? '';
    expect(await mainText(agent.page)).toContain('Ngo Bassa');
    await saveScreenshot(agent.page, 'docstream-diploma-drafted-fr');
    await agent.context.close();

    const secretary = await b.newPage(french);
    await logIn(secretary.page, 'sec', passwords.sec);
    await secretary.page.goto(`${url}/records/${ref}`);
    await Promise.all([
      secretary.page.waitForNavigation(),
      secretary.page.locator('form[action$="/verify"] button').click(),
    ]);
    await secretary.context.close();

    const officer = await b.newPage(french);
    await logIn(officer.page, 'chef', passwords.chef);
    await officer.page.goto(`${url}/records/${ref}`);
    await officer.page.locator('form[action$="/validate"] input[type="password"]').fill(passwords.chef);
    await Promise.all([
      officer.page.waitForNavigation(),
      officer.page.locator('form[action$="/validate"] button').click(),
    ]);
    const text = await mainText(officer.page);
    const niu = /300101-2026-\d{7}-\d{2}/.exec(text)?.[0] ?? '';
    expect(niu).not.toBe('');
    await saveScreenshot(officer.page, 'docstream-diploma-validated-fr');
    const [download] = await Promise.all([
      officer.page.waitForEvent('download'),
      officer.page.locator('form[action$="/print"] button').click(),
    ]);
    const pdf = join(dir, 'diploma.pdf');
    await download.saveAs(pdf);
    await officer.context.close();

    // The paper: the words of the definition, the NIU, and a seal that verifies offline.
    const printed = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    expect(printed).toContain('DIPLÔME');
    expect(printed).toContain('Ngo Bassa');
    expect(printed).toContain('Très bien');
    expect(printed).toContain(niu);
    // The printed page, to look at: test-artifacts/screenshots/docstream-diploma-printed.png.
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-singlefile',
      pdf,
      join(screenshotDirectory, 'docstream-diploma-printed'),
    ]);
    const seal = await readQrFromPdf(pdf);
    const verified = verifySeal(seal ?? '', readTrustList(trustListText));
    expect(verified.status, JSON.stringify({ verified, seal: seal?.slice(0, 20) })).toBe('VALID');
    if (verified.status === 'VALID') {
      expect(verified.content.niu).toBe(niu);
      expect(verified.content.recordType).toBe('diploma');
      expect(verified.content.fields).toMatchObject({ holder_surname: 'Ngo Bassa', mention: 'tres-bien' });
    }

    // Another form installed on the server meanwhile changes nothing for this site (per-table fingerprints).
    await installForm(server.db, 'server', await readFile(cardFile, 'utf8'), { by: 'operator' });
    for (const form of await loadForms(server.db, 'server'))
      if (!serverTables.some((table) => table.name === form.table.name)) serverTables.push(form.table);

    // Centralised: the site's sync for the installed forms' types, carried to the server in-process.
    const types = (await siteFormRecordTypes(site.db)).map((entry) => entry.type);
    const sync = createRecordSync({
      db: site.db,
      recordTypes: types,
      alsoExport: [issuedDocuments],
      link: createSiteLink({
        matricule: centre.matricule,
        serverName,
        codec: createSdcCodec({
          signer: ids.site,
          recipient: ids.site,
          signers: ids.trusting(ids.server.certificate),
          recipientsFor: () => [{ certificate: ids.server.certificate }],
          tables: [...types.map((type) => type.table), issuedDocuments],
        }),
      }),
      user: 'chef',
      resendAfterMs: 0,
      onEvent: () => {},
    });
    try {
      expect(await sync.exportValidated()).toBeGreaterThanOrEqual(1);
      await carry(sync);
    } finally {
      await sync.stop();
    }
    const central = await server.db
      .selectFrom('xm_data.diplomas' as never)
      .select(['niu', 'holder_surname', 'mention', 'origin_matricule'] as never)
      .execute();
    expect(central).toEqual([
      { niu, holder_surname: 'Ngo Bassa', mention: 'tres-bien', origin_matricule: centre.matricule },
    ]);
    const issued = await server.db
      .selectFrom('xm_data.issued_documents')
      .select(['record_niu', 'template_id'])
      .execute();
    expect(issued).toEqual([{ record_niu: niu, template_id: 'form-diploma' }]);
  }, 240_000);
});

describe('a site whose definition differs from the server', () => {
  test('is refused with schema-mismatch, and its record shows the reason', async () => {
    const other = { matricule: 'OBC-DLA-02', centreCode: '300102' };
    const identity = await ids.issue(other.matricule, 'site');
    siteB = { certificate: identity.certificate };
    unwrap(serverTrust.registerCertificate(identity.certificate));
    await server.db
      .insertInto('xm_system.clients')
      .values({
        matricule: other.matricule,
        centre_code: other.centreCode,
        name: 'Douala',
        status: 3,
        password_hash: 'x',
      })
      .execute();
    // The same name and version, but a longer surname: another table fingerprint.
    const edited = JSON.parse(await readFile(diplomaFile, 'utf8'));
    edited.fields[0].maxLength = 120;
    const type = formRecordType(compileDefinition(JSON.stringify(edited)));
    const b = await createTestKit({ recordTypes: [type], centre: other, today: () => today });
    try {
      const { holder_surname, session_year, score_points, score_maximum, ...rest } = diplomaFields;
      const ref = await b.kit.records.draft(b.agent, 'diploma', {
        ...rest,
        holder_surname: 'Eto',
        session_year: Number(session_year),
        score_points: Number(score_points),
        score_maximum: Number(score_maximum),
      });
      await b.kit.records.verify(b.secretary, ref);
      await b.kit.records.validate(b.head, testPasswords.head, ref);
      const sync = createRecordSync({
        db: b.database.db,
        recordTypes: [type],
        link: createSiteLink({
          matricule: other.matricule,
          serverName,
          codec: createSdcCodec({
            signer: identity,
            recipient: identity,
            signers: ids.trusting(ids.server.certificate),
            recipientsFor: () => [{ certificate: ids.server.certificate }],
            tables: [type.table],
          }),
        }),
        user: 'head',
        resendAfterMs: 0,
        onEvent: () => {},
      });
      // The server now knows this site's certificate too.
      try {
        await sync.exportValidated();
        await carry(sync);
      } finally {
        await sync.stop();
      }
      const view = await b.kit.records.get(b.agent, ref);
      expect(view.status).toBe(1);
      expect(view.rejection?.reason).toMatch(/schema-mismatch/);
      const central = await server.db
        .selectFrom('xm_data.diplomas' as never)
        .select(['holder_surname'] as never)
        .execute();
      expect(central).not.toContainEqual({ holder_surname: 'Eto' });
    } finally {
      await b.close();
    }
  }, 120_000);
});
