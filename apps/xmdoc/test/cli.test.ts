import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TEMPLATE_FOLDER } from '@xmcomm/documents';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Setup, setup, xmdoc } from './helpers.js';

describe('xmdoc', () => {
  let s: Setup;
  let pdf: string;
  let seal: string;
  beforeAll(async () => {
    s = await setup();
    pdf = join(s.folder, 'birth.pdf');
    const { code, stdout } = await xmdoc(
      [
        '--json',
        'render',
        '--template',
        join(DEFAULT_TEMPLATE_FOLDER, 'birth-extract.json'),
        '--data',
        join(DEFAULT_TEMPLATE_FOLDER, 'birth.sample.json'),
        '--out',
        pdf,
        '--key',
        s.keyFile,
        '--certificate',
        s.certificateFile,
        '--issuer',
        'CEC-0042',
        '--niu',
        '2026-0042-000007',
        '--document-id',
        'D-7',
      ],
      s.env,
    );
    expect(code).toBe(0);
    seal = JSON.parse(stdout).seal;
  });

  it('verifies a rendered PDF from its pixels: VALID, exit 0, the fields printed', async () => {
    const { code, stdout } = await xmdoc(['verify', '--trust', s.list1, pdf], s.env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^VALID — /);
    expect(stdout).toContain('firstName: Aïssatou Hélène');
    expect(stdout).toContain('Number (NIU): 2026-0042-000007');
  });

  it('answers in French and in JSON', async () => {
    const french = await xmdoc(['--lang', 'fr', 'verify', seal], s.env);
    expect(french.code).toBe(0);
    expect(french.stdout).toMatch(/^VALIDE — Valide : le sceau est signé/);
    const json = await xmdoc(['--json', 'verify', seal], s.env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'VALID',
      source: 'text',
      content: { niu: '2026-0042-000007' },
    });
  });

  it('says INVALID (exit 1) with a stable reason for foreign, damaged and altered seals', async () => {
    const cases: [string, string][] = [
      ['https://example.org/acte/42', 'not-our-scheme'],
      [seal.slice(0, 120), 'damaged'],
    ];
    for (const [text, reason] of cases) {
      const { code, stdout } = await xmdoc(['--json', 'verify', text], s.env);
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toMatchObject({ status: 'INVALID', reason });
    }
  });

  it('keeps a newer trust list (its revocation applies) and refuses an older one after it', async () => {
    const revoked = await xmdoc(['--json', 'verify', '--trust', s.list2, seal], s.env);
    expect(revoked.code).toBe(1);
    expect(JSON.parse(revoked.stdout)).toMatchObject({
      reason: 'revoked',
      trustList: { sequence: 2, replaced: true },
    });
    const older = await xmdoc(['--json', 'verify', '--trust', s.list1, seal], s.env);
    expect(older.code).toBe(65);
    expect(JSON.parse(older.stdout).error.code).toBe('trust-list-older');
    expect(older.stderr).toContain('older than the one already held');
  });

  it('with --ca, takes no trust list under another CA, even the first; the page gets the pin too', async () => {
    const env = { ...s.env, XMDOC_HOME: join(s.folder, 'pinned-home') };
    const refused = await xmdoc(['verify', '--ca', s.strangerCaFile, '--trust', s.list1, seal], env);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain('another national CA');
    expect((await xmdoc(['verify', '--ca', s.caFile, '--trust', s.list1, seal], env)).code).toBe(0);
    const page = join(s.folder, 'verifier.html');
    expect((await xmdoc(['page', '--ca', s.caFile, '--out', page], env)).code).toBe(0);
    expect(readFileSync(page, 'utf8')).toMatch(/<meta name="xmcomm-national-ca" content="[0-9a-f]{64}">/);
  });

  it('names the place of a template error and writes no PDF', async () => {
    const template = join(s.folder, 'broken.json');
    const out = join(s.folder, 'broken.pdf');
    const good = JSON.parse(readFileSync(join(DEFAULT_TEMPLATE_FOLDER, 'death-extract.json'), 'utf8'));
    good.blocks[3].rows[2] = ['only one cell'];
    writeFileSync(template, JSON.stringify(good, null, 2));
    copyFileSync(join(DEFAULT_TEMPLATE_FOLDER, 'logo.png'), join(s.folder, 'logo.png'));
    const { code, stderr } = await xmdoc(
      [
        'render',
        '--template',
        template,
        '--data',
        join(DEFAULT_TEMPLATE_FOLDER, 'death.sample.json'),
        '--out',
        out,
      ],
      s.env,
    );
    expect(code).toBe(65);
    expect(stderr).toContain('$.blocks[3].rows[2]: a row of 2 cells is expected');
    expect(existsSync(out)).toBe(false);
  });

  it('copies a default template to edit, and renders the copy as a specimen', async () => {
    const to = join(s.folder, 'my-templates');
    expect((await xmdoc(['templates', '--copy', 'marriage-copy', '--to', to], s.env)).code).toBe(0);
    const out = join(s.folder, 'specimen.pdf');
    const { code } = await xmdoc(
      [
        'render',
        '--template',
        join(to, 'marriage-copy.json'),
        '--data',
        join(to, 'marriage.sample.json'),
        '--out',
        out,
      ],
      s.env,
    );
    expect(code).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('renders the values in the language asked: words, not codes', async () => {
    const out = join(s.folder, 'english.pdf');
    const template = join(s.folder, 'my-templates', 'marriage-copy.json');
    const data = join(s.folder, 'my-templates', 'marriage.sample.json');
    const args = ['render', '--template', template, '--data', data, '--out', out];
    expect((await xmdoc([...args, '--language', 'en'], s.env)).code).toBe(0);
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('pdftotext', [out, '-'], { encoding: 'utf8' })).toContain('6 June 2026');
    expect((await xmdoc([...args, '--language', 'de'], s.env)).code).toBe(64);
  });

  it('refuses a missing file and an unknown option with sysexits codes', async () => {
    expect((await xmdoc(['verify', join(s.folder, 'nothing.png')], s.env)).code).toBe(66);
    expect((await xmdoc(['verify', '--nope', 'x'], s.env)).code).toBe(64);
  });
});
