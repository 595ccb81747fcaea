import { readTrustList } from '@xmcomm/documents';
import {
  certificateRequestToPem,
  createCertificateRequest,
  generateKeyPair,
  inspectCertificate,
} from '@xmcomm/pki';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ConsoleFixture, createConsoleFixture, get, logIn, post, postFile } from './helpers/console.js';

// The console's PKI screens by inject, on both engines: a site's certificates (CSR upload, PEM
// download, revoke), the signatories' register and the trust list export. Every change is the
// CLI's own command run as the logged-in operator: its privilege check (a supervisor's), its audit.

let f: ConsoleFixture;

beforeAll(async () => {
  f = await createConsoleFixture();
}, 120_000);
afterAll(async () => {
  await f?.close();
});

const audit = (action: string, operator?: string) => f.audit(action, operator);

const siteRequest = async (commonName: string) => {
  const keys = await generateKeyPair();
  return certificateRequestToPem(
    await createCertificateRequest({ privateKey: keys.privateKey, subject: { commonName } }),
  );
};

describe('certificates on the client page', () => {
  const shown = async (matricule: string) =>
    JSON.parse((await f.run(['client', 'show', matricule, '--json'])).stdout).certificates as {
      serialNumber: string;
      revokedAt: string | null;
      revocationReason: string | null;
    }[];
  let serial = '';
  let firstRequest = '';

  beforeAll(async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    for (const [matricule, name] of [
      ['CRT-1', 'Centre Kribi'],
      ['CRT-2', 'Centre Limbe'],
    ] as const) {
      const created = await post(f.web, clerk, '/clients', { name, matricule, status: '3' });
      if (created.statusCode !== 303) throw new Error(created.body);
    }
  });

  test('a supervisor uploads a CSR: the certificate is issued by `client enrol`, listed and downloadable as PEM', async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    firstRequest = await siteRequest('CRT-1');
    const page = (await get(f.web, admin, '/clients/CRT-1')).body;
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toMatch(/<input type="file" id="f-csr" name="csr"/);
    const enrolled = await postFile(f.web, admin, '/clients/CRT-1/enrol', {
      field: 'csr',
      filename: 'site.csr',
      content: firstRequest,
    });
    expect(enrolled.statusCode, enrolled.body).toBe(303);
    const [certificate] = await shown('CRT-1');
    serial = certificate?.serialNumber ?? '';
    expect(serial).toMatch(/^[0-9a-f]+$/);
    expect(enrolled.headers.location).toBe(`/clients/CRT-1?done=enrolled&serial=${serial}`);
    expect((await audit('client.enrol', 'admin')).map((a) => a.target)).toEqual(['CRT-1']);
    const after = (await get(f.web, admin, String(enrolled.headers.location))).body;
    expect(after).toContain(`Certificate ${serial} issued`);
    const download = await get(f.web, admin, `/clients/CRT-1/certificates/${serial}/pem`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="CRT-1-${serial}.pem"`);
    const info = inspectCertificate(download.body);
    expect(info.ok && info.value.matricule).toBe('CRT-1');
    expect(info.ok && info.value.serialNumber).toBe(serial);
    // A URL never reaches another client's certificate.
    expect((await get(f.web, admin, `/clients/CRT-2/certificates/${serial}/pem`)).statusCode).toBe(404);
  });

  test('what the CLI refuses is said beside the file input: no file, not a request, a key of another site; over 64 KiB, 413', async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const none = await postFile(f.web, admin, '/clients/CRT-2/enrol', {
      field: 'csr',
      filename: '',
      content: '',
    });
    expect(none.statusCode).toBe(400);
    expect(none.body).toMatch(/id="f-csr-error">Choose the site/);
    const garbage = await postFile(f.web, admin, '/clients/CRT-2/enrol', {
      field: 'csr',
      filename: 'site.csr',
      content: '-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n-----END CERTIFICATE REQUEST-----\n',
    });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.body).toMatch(/id="f-csr-error"/);
    const another = await postFile(f.web, admin, '/clients/CRT-2/enrol', {
      field: 'csr',
      filename: 'site.csr',
      content: firstRequest,
    });
    expect(another.statusCode).toBe(400);
    expect(another.body).toMatch(/id="f-csr-error">[^<]*CRT-1/);
    const huge = await postFile(f.web, admin, '/clients/CRT-2/enrol', {
      field: 'csr',
      filename: 'site.csr',
      content: Buffer.alloc(65 * 1024, 'A'),
    });
    expect(huge.statusCode).toBe(413);
    expect(await shown('CRT-2')).toEqual([]);
  });

  test('a supervisor revokes with a reason from the list of `pki revoke`; the client shows it revoked', async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const page = (await get(f.web, admin, '/clients/CRT-1')).body;
    expect(page).toContain(`action="/clients/CRT-1/certificates/${serial}/revoke"`);
    expect(page).toContain('<option value="keyCompromise">key compromised</option>');
    const bad = await post(f.web, admin, `/clients/CRT-1/certificates/${serial}/revoke`, { reason: 'bored' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="f-reason-error">Choose a reason/);
    expect(
      (await post(f.web, admin, `/clients/CRT-2/certificates/${serial}/revoke`, { reason: 'superseded' }))
        .statusCode,
    ).toBe(404);
    const revoked = await post(f.web, admin, `/clients/CRT-1/certificates/${serial}/revoke`, {
      reason: 'keyCompromise',
    });
    expect(revoked.statusCode, revoked.body).toBe(303);
    expect(await shown('CRT-1')).toMatchObject([
      { serialNumber: serial, revokedAt: expect.any(String), revocationReason: 'keyCompromise' },
    ]);
    expect((await audit('pki.revoke', 'admin')).map((a) => a.target)).toContain(serial);
    const after = (await get(f.web, admin, String(revoked.headers.location))).body;
    expect(after).toContain(`Certificate ${serial} revoked.`);
    expect(after).not.toContain(`action="/clients/CRT-1/certificates/${serial}/revoke"`);
  });

  test('an operator sees and downloads certificates but has no Revoke nor upload; forged POSTs are 403 and audited', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const page = await get(f.web, clerk, '/clients/CRT-1');
    expect(page.body).toContain(`/clients/CRT-1/certificates/${serial}/pem`);
    expect(page.body).not.toContain('/revoke"');
    expect(page.body).not.toContain('action="/clients/CRT-1/enrol"');
    const forged = [
      await postFile(f.web, clerk, '/clients/CRT-2/enrol', {
        field: 'csr',
        filename: 'site.csr',
        content: await siteRequest('CRT-2'),
      }),
      await post(f.web, clerk, `/clients/CRT-1/certificates/${serial}/revoke`, { reason: 'superseded' }),
    ];
    expect(forged.map((r) => r.statusCode)).toEqual([403, 403]);
    expect(await shown('CRT-2')).toEqual([]);
    expect((await audit('auth.forbidden', 'clerk')).map((a) => a.target)).toEqual(
      expect.arrayContaining([
        'console POST /clients/:matricule/enrol',
        'console POST /clients/:matricule/certificates/:serial/revoke',
      ]),
    );
  });

  test('the upload and the revoke without their CSRF token: refused; the same upload with it (in the multipart body) passes', async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const request = { field: 'csr', filename: 'site.csr', content: await siteRequest('CRT-2') };
    const without = await postFile(f.web, admin, '/clients/CRT-2/enrol', request, {});
    expect(without.statusCode).toBe(403);
    expect(await shown('CRT-2')).toEqual([]);
    const withToken = await postFile(f.web, admin, '/clients/CRT-2/enrol', request);
    expect(withToken.statusCode, withToken.body).toBe(303);
    const [issued] = await shown('CRT-2');
    const revoke = await post(
      f.web,
      { ...admin, csrf: '' },
      `/clients/CRT-2/certificates/${issued?.serialNumber}/revoke`,
      { reason: 'superseded' },
    );
    expect(revoke.statusCode).toBe(403);
    expect(await shown('CRT-2')).toMatchObject([{ revokedAt: null }]);
  });
});

describe('signatories', () => {
  const listed = async () =>
    JSON.parse((await f.run(['signatory', 'list', '--json'])).stdout) as {
      id: number;
      full_name: string;
      active: boolean;
      matricule: string | null;
      serial_number: string | null;
    }[];

  test('a supervisor registers a signatory from a CSR (`signatory add --csr`): listed, certificate downloadable', async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const page = (await get(f.web, admin, '/signatories')).body;
    expect(page).toContain('No signatory registered.');
    expect(page).toContain('action="/signatories" enctype="multipart/form-data"');
    const added = await postFile(
      f.web,
      admin,
      '/signatories',
      { field: 'csr', filename: 'officer.csr', content: await siteRequest('Awa Mbarga') },
      { _csrf: admin.csrf, name: 'Awa Mbarga', role: 'officer', client: 'CRT-1' },
    );
    expect(added.statusCode, added.body).toBe(303);
    const [row] = await listed();
    expect(row).toMatchObject({ full_name: 'Awa Mbarga', active: true, matricule: 'CRT-1' });
    expect(row?.serial_number).toMatch(/^[0-9a-f]+$/);
    expect(added.headers.location).toBe(`/signatories?done=added&id=${row?.id}`);
    expect((await audit('signatory.add', 'admin')).length).toBe(1);
    const after = (await get(f.web, admin, String(added.headers.location))).body;
    expect(after).toContain(`Signatory ${row?.id} registered.`);
    expect(after).toContain('<td>Awa Mbarga</td>');
    const pem = await get(f.web, admin, `/signatories/${row?.id}/pem`);
    const info = inspectCertificate(pem.body);
    expect(info.ok && info.value.serialNumber).toBe(row?.serial_number);
  });

  test("the CLI's refusals beside the fields: an unknown site, a request that is not one, a missing name", async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const form = (extra: Record<string, string>) => ({
      _csrf: admin.csrf,
      name: 'X',
      role: 'clerk',
      ...extra,
    });
    const noSite = await postFile(
      f.web,
      admin,
      '/signatories',
      { field: 'csr', filename: '', content: '' },
      form({ client: 'NOPE-9' }),
    );
    expect(noSite.statusCode).toBe(400);
    expect(noSite.body).toMatch(/id="f-client-error"/);
    const badCsr = await postFile(
      f.web,
      admin,
      '/signatories',
      { field: 'csr', filename: 'x.csr', content: 'not a request' },
      form({}),
    );
    expect(badCsr.statusCode).toBe(400);
    expect(badCsr.body).toMatch(/id="f-csr-error"/);
    const noName = await postFile(
      f.web,
      admin,
      '/signatories',
      { field: 'csr', filename: '', content: '' },
      form({ name: ' ' }),
    );
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toMatch(/id="f-name-error"/);
    expect((await listed()).length).toBe(1);
  });

  test('an operator sees the register but no form nor Withdraw; forged POSTs are 403 and audited', async () => {
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    const page = await get(f.web, clerk, '/signatories');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<td>Awa Mbarga</td>');
    expect(page.body).not.toContain('action="/signatories"');
    expect(page.body).not.toContain('/revoke"');
    const [row] = await listed();
    const forged = [
      await postFile(
        f.web,
        clerk,
        '/signatories',
        { field: 'csr', filename: '', content: '' },
        { _csrf: clerk.csrf, name: 'Intruder', role: 'officer' },
      ),
      await post(f.web, clerk, `/signatories/${row?.id}/revoke`),
    ];
    expect(forged.map((r) => r.statusCode)).toEqual([403, 403]);
    expect((await audit('auth.forbidden', 'clerk')).map((a) => a.target)).toEqual(
      expect.arrayContaining(['console POST /signatories', 'console POST /signatories/:id/revoke']),
    );
    expect(await listed()).toMatchObject([{ active: true }]);
    // A supervisor's withdrawal without its token is refused too (the next test does it with it).
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const noToken = await post(f.web, { ...admin, csrf: '' }, `/signatories/${row?.id}/revoke`);
    expect(noToken.statusCode).toBe(403);
    expect(await listed()).toMatchObject([{ active: true }]);
  });

  test('a supervisor withdraws a signatory (`signatory revoke`): inactive, its certificate revoked', async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const [row] = await listed();
    const withdrawn = await post(f.web, admin, `/signatories/${row?.id}/revoke`);
    expect(withdrawn.statusCode, withdrawn.body).toBe(303);
    expect(await listed()).toMatchObject([{ id: row?.id, active: false }]);
    const certificate = await f.database.db
      .selectFrom('xm_system.certificates')
      .select(['revoked_at', 'revocation_reason'])
      .where('serial_number', '=', row?.serial_number ?? '')
      .executeTakeFirstOrThrow();
    expect(certificate.revocation_reason).toBe('cessationOfOperation');
    expect((await audit('signatory.revoke', 'admin')).map((a) => a.target)).toEqual([`signatory-${row?.id}`]);
  });
});

describe('trust list', () => {
  test('everyone sees the sequence; a supervisor exports: the download is the signed list `trust-list export` writes', async () => {
    const reader = await logIn(f.web, 'reader', f.passwords.reader);
    const before = await get(f.web, reader, '/trust-list');
    expect(before.statusCode).toBe(200);
    expect(before.body).toMatch(/data-figure="sequence">never exported</);
    expect(before.body).not.toContain('action="/trust-list/export"');
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    expect((await get(f.web, admin, '/trust-list')).body).toContain('action="/trust-list/export"');
    const exported = await post(f.web, admin, '/trust-list/export', { days: '10' });
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.headers['content-disposition']).toBe('attachment; filename="trust-list-1.txt"');
    const list = readTrustList(exported.body).content;
    expect(list.sequence).toBe(1);
    expect(list.expiresAt.getTime() - list.issuedAt.getTime()).toBe(10 * 86_400_000);
    expect(list.revocations.length).toBe(1);
    expect((await audit('trust-list.export', 'admin')).map((a) => a.target)).toEqual(['trust-list-1']);
    expect((await get(f.web, reader, '/trust-list')).body).toMatch(/data-figure="sequence">1</);
  });

  test('a bad validity is said beside the field; an operator gets 403 (audited); no token, refused', async () => {
    const admin = await logIn(f.web, 'admin', f.passwords.admin);
    const bad = await post(f.web, admin, '/trust-list/export', { days: '0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="f-days-error"/);
    const clerk = await logIn(f.web, 'clerk', f.passwords.clerk);
    expect((await post(f.web, clerk, '/trust-list/export', { days: '30' })).statusCode).toBe(403);
    expect((await audit('auth.forbidden', 'clerk')).map((a) => a.target)).toContain(
      'console POST /trust-list/export',
    );
    expect((await post(f.web, { ...admin, csrf: '' }, '/trust-list/export', { days: '30' })).statusCode).toBe(
      403,
    );
    expect((await audit('trust-list.export')).length).toBe(1);
  });
});
