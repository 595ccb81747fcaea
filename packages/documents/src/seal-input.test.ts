import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DocumentsError } from './errors.js';
import { readSealInput } from './seal-input.js';

const folder = mkdtempSync(join(tmpdir(), 'seal-input-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function failure(input: string): Promise<DocumentsError> {
  const error = await readSealInput(input).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!DocumentsError.isInstance(error)) throw new Error(`expected a DocumentsError, got ${String(error)}`);
  return error;
}

describe('readSealInput', () => {
  it('takes any other text as the QR text itself, spaces included (Base45 has them)', async () => {
    expect(await readSealInput('XM1:6BF 12')).toEqual({ text: 'XM1:6BF 12', source: 'text' });
  });

  it('names the file it cannot use, by a stable code', async () => {
    const missing = await failure(join(folder, 'absent.pdf'));
    expect(missing.code).toBe('input-missing');
    expect(missing.detail).toBe(join(folder, 'absent.pdf'));

    const blank = new PNG({ width: 40, height: 40 });
    blank.data.fill(255);
    writeFileSync(join(folder, 'blank.png'), PNG.sync.write(blank));
    const none = await failure(join(folder, 'blank.png'));
    expect(none.code).toBe('no-seal-found');
    expect(none.messageFr).toContain('Aucun code QR trouvé');

    writeFileSync(join(folder, 'text.jpg'), 'not an image');
    expect((await failure(join(folder, 'text.jpg'))).code).toBe('unreadable-file');
  });
});
