import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_TEMPLATES,
  defaultTemplatePath,
  issueDocument,
  loadTemplateFile,
  qrSizeOf,
  readQrFromImage,
  readQrFromPdf,
  readTrustList,
  renderPdf,
  verifySeal,
} from '../src/index.js';
import { CHECKED_AT, ISSUED_AT, makeList, makePki, type Pki, sampleData } from './fixtures.js';

const folder = mkdtempSync(join(tmpdir(), 'documents-test-'));

function issue(
  pki: Pki,
  id: (typeof DEFAULT_TEMPLATES)[number],
  data = sampleData(id.split('-')[0] as 'birth'),
) {
  return issueDocument({
    template: loadTemplateFile(defaultTemplatePath(id)),
    data,
    issuer: 'CEC-0042',
    niu: '2026-0042-000123',
    documentId: `D-${id}-000123`,
    issuedAt: ISSUED_AT,
    signer: pki.site,
  });
}

describe('documents', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await makePki();
  });

  it('renders a birth extract whose QR, read back from the rasterised PDF, verifies', async () => {
    const document = await issue(pki, 'birth-extract');
    const file = join(folder, 'birth-extract.pdf');
    writeFileSync(file, document.pdf);
    const text = await readQrFromPdf(file);
    expect(text).toBe(document.seal);
    const result = verifySeal(text!, readTrustList(makeList(pki, 1)), { at: CHECKED_AT });
    expect(result.status).toBe('VALID');
    expect(result.status === 'VALID' && result.content.fields.firstName).toBe('Aïssatou Hélène');
  });

  it('prints text with its accents (pdftotext reads them back)', async () => {
    const document = await issue(pki, 'birth-copy');
    const file = join(folder, 'birth-copy.pdf');
    writeFileSync(file, document.pdf);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    for (const words of [
      'Aïssatou Hélène',
      'Thiès, Hôpital régional',
      'ÉTAT CIVIL',
      'Sébastien DIOUF',
      'sénégalaise',
    ])
      expect(text).toContain(words);
  });

  it('prints words for codes and dates, in the language asked (pdftotext reads them)', async () => {
    const french = await issue(pki, 'birth-extract');
    const english = await issueDocument({
      template: loadTemplateFile(defaultTemplatePath('birth-extract')),
      data: { ...sampleData('birth'), gender: 'M' },
      issuer: 'CEC-0042',
      niu: '2026-0042-000123',
      documentId: 'D-en',
      issuedAt: ISSUED_AT,
      signer: pki.site,
      language: 'en',
      labels: { gender: { M: { fr: 'Garçon', en: 'Boy' } } },
    });
    const textOf = (name: string, pdf: Uint8Array) => {
      const file = join(folder, name);
      writeFileSync(file, pdf);
      return execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    };
    const fr = textOf('words-fr.pdf', french.pdf);
    for (const words of ['Féminin', '14 mars 2026', '1er décembre 2026']) expect(fr).toContain(words);
    expect(fr).toMatch(/Sexe \/ Sex\s+Féminin/);
    expect(fr).not.toContain('2026-03-14');
    const en = textOf('words-en.pdf', english.pdf);
    // The template's own labels override the app's: its "M" is "Male".
    for (const words of ['Male', '14 March 2026', '1 December 2026']) expect(en).toContain(words);
    // The seal signs the codes, not the words.
    expect(english.content.fields.gender).toBe('M');
    expect(english.content.fields.dateOfBirth).toBe('2026-03-14');
  });

  it('gives the same bytes for the same data, other bytes for other data', async () => {
    const first = await issue(pki, 'death-extract');
    const again = await issue(pki, 'death-extract');
    // ECDSA signatures are randomised: same seal text in, same PDF out.
    const template = loadTemplateFile(defaultTemplatePath('death-extract'));
    const data = {
      ...sampleData('death'),
      niu: 'N',
      documentId: 'D',
      issuer: 'CEC-0042',
      issuedOn: '2026-12-01',
    };
    const a = await renderPdf({ template, data, seal: first.seal, createdAt: ISSUED_AT });
    const b = await renderPdf({ template, data, seal: first.seal, createdAt: ISSUED_AT });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const c = await renderPdf({
      template,
      data: { ...data, lastName: 'DIOP' },
      seal: first.seal,
      createdAt: ISSUED_AT,
    });
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
    expect(first.seal).not.toBe(again.seal);
  });

  it('keeps every default seal within QR version 15 at error correction M', async () => {
    for (const id of DEFAULT_TEMPLATES) {
      const { seal } = await issue(pki, id);
      expect(qrSizeOf(seal).version, id).toBeLessThanOrEqual(15);
    }
  });

  it('reads a seal from a PNG page and from a JPEG of it', async () => {
    const document = await issue(pki, 'marriage-extract');
    const file = join(folder, 'marriage.pdf');
    writeFileSync(file, document.pdf);
    execFileSync('pdftoppm', ['-r', '150', '-png', '-singlefile', file, join(folder, 'marriage')]);
    execFileSync('pdftoppm', ['-r', '150', '-jpeg', '-singlefile', file, join(folder, 'marriage')]);
    const { readFileSync } = await import('node:fs');
    expect(readQrFromImage(readFileSync(join(folder, 'marriage.png')))).toBe(document.seal);
    expect(readQrFromImage(readFileSync(join(folder, 'marriage.jpg')))).toBe(document.seal);
    expect(() => readQrFromImage(new TextEncoder().encode('not an image'))).toThrow(
      expect.objectContaining({ code: 'unreadable-file' }),
    );
  });

  it('names the missing field and where the template prints it', async () => {
    const { birthExtract, data } = {
      birthExtract: loadTemplateFile(defaultTemplatePath('birth-extract')),
      data: sampleData('birth'),
    };
    const { motherName: _dropped, ...rest } = data;
    await expect(
      issueDocument({
        template: birthExtract,
        data: rest,
        issuer: 'X',
        niu: 'N',
        documentId: 'D',
        issuedAt: ISSUED_AT,
        signer: pki.site,
      }),
    ).rejects.toMatchObject({ code: 'missing-field', detail: expect.stringContaining('motherName') });
    await expect(
      renderPdf({
        template: birthExtract,
        data: { ...rest, niu: 'N', documentId: 'D', issuer: 'X', issuedOn: 'd' },
        createdAt: ISSUED_AT,
      }),
    ).rejects.toMatchObject({
      code: 'missing-field',
      detail: expect.stringMatching(/motherName.*\$\.blocks\[3\]\.rows\[6\]\[1\]/),
    });
  });
});
