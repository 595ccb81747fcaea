import { createPrivateKey } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nothingToDoExitCode } from '../src/exit-codes.js';
import { keyManifestSigner, writeBatch } from '../src/index.js';
import { type CliWorld, openCliWorld, passphrase, SITE } from './helpers/cli-world.js';

// What `t2d` prints, run in-process from its entry point with real certificates and CMS: every word
// of a French summary is French (details, reasons, counts), and an export with nothing to carry says
// so and exits with its own code.

let world: CliWorld;

beforeAll(async () => {
  world = await openCliWorld('summaries');
}, 300_000);

afterAll(async () => {
  await world?.close();
});

const toServer = () => join(world.medium, 'XMCOMM', 'v1', 'xmserver');

describe('t2d summaries', () => {
  it('says when there is nothing to export, in both languages, with the nothing-to-do exit code', async () => {
    const english = await world.run(['--lang', 'en', 'export', '--to', world.medium, ...world.siteArgs()]);
    expect(english.stderr).toBe('');
    expect(english.stdout).toBe(
      'Nothing to export: no outbox item waits for the server, so nothing was written on the medium.\n',
    );
    expect(english.code).toBe(nothingToDoExitCode);
    expect(nothingToDoExitCode).toBe(2);
    const french = await world.run(['--lang', 'fr', 'export', '--to', world.medium, ...world.siteArgs()]);
    expect(french.stdout).toBe(
      "Rien à exporter : aucun envoi n'attend le serveur, donc rien n'a été écrit sur le support.\n",
    );
    expect(french.code).toBe(2);
    const json = await world.run(['--json', 'export', '--to', world.medium, ...world.siteArgs()]);
    expect(JSON.parse(json.stdout)).toMatchObject({ command: 'export', items: 0, written: 0 });
    expect(json.code).toBe(2);
    expect(await readdir(world.medium)).toEqual([]);

    // Something to carry: 0 again.
    await world.addBirths(2, 'SUM');
    const exported = await world.run(['--lang', 'fr', 'export', '--to', world.medium, ...world.siteArgs()]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('1 conteneur(s) (2 fiches) sur le support : 1 écrit(s)');
  }, 240_000);

  it('words every skipped file and refused container in French', async () => {
    // A container the codec cannot read, listed by a manifest the site signed: it reaches the server.
    const siteKey = createPrivateKey({
      key: await readFile(join(world.work, 'site-key.pem'), 'utf8'),
      passphrase,
    });
    await writeBatch({
      medium: world.medium,
      sender: SITE,
      recipient: 'xmserver',
      containers: [new TextEncoder().encode('not a container')],
      signer: keyManifestSigner(siteKey),
    });
    // Files no valid manifest covers, each skipped for its own reason.
    await writeFile(join(toServer(), SITE, 'notes.txt'), 'hello');
    await mkdir(join(toServer(), 'not a matricule'));
    await writeFile(join(toServer(), SITE, '01234567-0123-4123-8123-0123456789ab.manifest.json'), '{');
    await writeFile(join(toServer(), SITE, '.xm-tmp-1234'), 'half');

    const ingested = await world.run([
      '--lang',
      'fr',
      'ingest',
      '--from',
      world.medium,
      ...world.serverArgs(),
    ]);
    expect(ingested.stderr).toBe('');
    expect(ingested.code).toBe(1);
    const lines = ingested.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      '1 conteneur(s) appliqué(s), 0 déjà reçu(s), 0 rejeu(x) refusé(s) ; fiches acceptées 2, rejetées 0.',
      '1 conteneur(s) de réponse écrit(s) pour CEC-001.',
      '1 conteneur(s) refusé(s), non appliqué(s) : Le conteneur est mal formé (malformed).',
      'ignoré (écriture interrompue) : XMCOMM/v1/xmserver/CEC-001/.xm-tmp-1234',
      'ignoré (étranger à XMcomm) : XMCOMM/v1/xmserver/CEC-001/notes.txt',
      'ignoré (étranger à XMcomm) : XMCOMM/v1/xmserver/not a matricule (pas un matricule)',
      'ignoré (manifeste invalide) : XMCOMM/v1/xmserver/CEC-001/01234567-0123-4123-8123-0123456789ab.manifest.json (pas du JSON)',
    ]);

    // The same in English names the same things.
    const english = await world.run([
      '--lang',
      'en',
      'ingest',
      '--from',
      world.medium,
      ...world.serverArgs(),
    ]);
    expect(english.stdout).toContain(
      '1 container(s) refused, not applied: The container is malformed (malformed).',
    );
    expect(english.stdout).toContain(
      'skipped (bad-manifest): XMCOMM/v1/xmserver/CEC-001/01234567-0123-4123-8123-0123456789ab.manifest.json (not JSON)',
    );

    // A reply damaged on the stick, at the site.
    const replies = join(world.medium, 'XMCOMM', 'v1', SITE, 'xmserver');
    for (const name of await readdir(replies))
      if (name.endsWith('.sdc')) await appendFile(join(replies, name), 'x');
    const imported = await world.run(['--lang', 'fr', 'import', '--from', world.medium, ...world.siteArgs()]);
    expect(imported.code).toBe(1);
    expect(imported.stdout).toMatch(
      /^ignoré \(corrompu\) : XMCOMM\/v1\/CEC-001\/xmserver\/[0-9a-f]{64}\.sdc \(le contenu ne correspond pas à son nom\)$/m,
    );
    expect(imported.stdout).toContain('1 envoi(s) attendent encore leur accusé.');
  }, 240_000);

  it('names a missing setting in French', async () => {
    const missing = await world.run([
      '--lang',
      'fr',
      'ingest',
      '--from',
      world.medium,
      '--database-url',
      world.serverUrl,
    ]);
    expect(missing.code).toBe(78);
    expect(missing.stderr).toBe(
      't2d: Configuration : il manque la clé privée (--key), en option ou dans XM_KEY_FILE.\n',
    );
  }, 60_000);
});
