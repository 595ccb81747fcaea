import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTrustList, readQrFromPdf, readTrustList, verifySeal } from '@xmcomm/documents';
import { CertificateAuthority, generateKeyPair } from '@xmcomm/pki';
import type { Row } from '@xmcomm/site-kit';
import { createDocumentKey, importDocumentCertificate, loadDocumentSigner } from '@xmcomm/site-kit/cli';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { printBulletin } from '../src/bulletin-print.js';
import { extractOf } from '../src/bulletins.js';
import { jurisWords } from '../src/program.js';

// Bulletin No 3 printed with the court's seal (its document key, from the site kit's CLI): the QR read
// back from the PDF verifies offline against the trust list, and the PDF's text holds nothing of the
// entry No 3 leaves out.

let dir: string;
const passphrase = 'document key passphrase';
const person = {
  person_surname: 'Kobila',
  person_given_names: 'Mangué',
  person_date_of_birth: '1990-04-17',
  person_place_of_birth: 'Ekouk',
};
const entry = (niu: string, court: string, extra: Partial<Row>): Row => ({
  status: 4,
  niu,
  reference: '103/SD/Just/2018',
  court_name: court,
  ...person,
  decision_date: '2018-06-18',
  offence_class: 'misdemeanour',
  legal_qualification: 'Détournement de fonds publics',
  main_penalty: 'imprisonment',
  prison_months: 36,
  suspension: 'none',
  minor_at_the_time: false,
  excluded_from_b2: false,
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xmjuris-print-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the printed bulletin', () => {
  test('No 3 with entries from two courts: sealed, verified offline, no excluded entry in it', async () => {
    const root = await CertificateAuthority.createRoot({ subject: { commonName: 'Test National CA' } });
    await createDocumentKey(dir, { matricule: 'TGI-BTA-01' }, passphrase);
    const issued = await root.ca.issueCertificate({
      csr: await readFile(join(dir, 'document.csr.pem'), 'utf8'),
      profile: 'signatory',
      subject: { commonName: 'TGI-BTA-01 documents' },
    });
    await importDocumentCertificate(dir, issued.pem, jurisWords);
    const signer = await loadDocumentSigner(dir, passphrase, jurisWords);

    const serious = entry('200701-2018-0000001-42', 'Garoua-Boulai', {});
    const short = entry('200702-2020-0000007-17', 'Yaoundé', {
      decision_date: '2020-02-02',
      prison_months: 6,
      legal_qualification: 'Outrage à magistrat',
    });
    const extract = extractOf(
      'b3',
      [
        { entry: serious, annotations: [] },
        { entry: short, annotations: [] },
      ],
      '2026-12-08',
    );
    const printed = await printBulletin({
      ask: { bulletin: 'b3', identity: person, purpose: 'demande de la personne' },
      extract,
      court: { matricule: 'TGI-BTA-01', name: 'Bertoua' },
      requestedBy: 'zambo',
      documentId: '00000000-0000-4000-8000-000000000001',
      // A seal is dated to the second, the document certificate from the moment it was made: a second
      // later, so the seal never predates its certificate.
      issuedAt: new Date(Date.now() + 1500),
      signer,
      niu: '200704-B3',
    });
    const file = join(dir, 'b3.pdf');
    await writeFile(file, printed.pdf);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text).toContain('200701-2018-0000001-42');
    for (const leak of ['200702-2020-0000007-17', 'Yaoundé', 'Outrage']) expect(text).not.toContain(leak);

    const lister = await generateKeyPair();
    const listerCertificate = await root.ca.issueCertificate({
      publicKey: lister.publicKey,
      profile: 'server',
      subject: { commonName: 'trust list' },
    });
    const trustList = createTrustList(
      {
        sequence: 1,
        issuedAt: new Date(),
        expiresAt: new Date('2030-01-01T00:00:00Z'),
        issuer: 'CJN',
        caCertificate: root.certificate.der,
        signers: [{ certificate: issued.der, label: 'TGI-BTA-01' }],
        revocations: [],
      },
      { privateKey: lister.privateKey, chain: [listerCertificate.der] },
    );
    const seal = await readQrFromPdf(file);
    const verdict = verifySeal(seal ?? '', readTrustList(trustList));
    expect(
      verdict.status === 'VALID' ? 'VALID' : `INVALID ${verdict.reason} (${(seal ?? '').length} chars read)`,
    ).toBe('VALID');
    if (verdict.status !== 'VALID') return;
    expect(verdict.content.fields).toMatchObject({ bulletin: '3', surname: 'Kobila' });
    expect(verdict.content.fields.entryNius).toContain('200701-2018-0000001-42');
    expect(verdict.content.fields.entryNius).not.toContain('200702-2020-0000007-17');
  });
});
