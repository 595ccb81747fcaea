import type { SiteDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exitCodes, jurisMigrations, runCli } from '../src/index.js';

// The CLI in-process (runCli, the bin's code) on one court database held open for the file: PGlite
// in memory, or a fresh PostgreSQL database when DATABASE_URL is set.

let database: TestDatabase<SiteDatabase>;

async function xmjuris(args: string[], env: Record<string, string> = {}, signal?: AbortSignal) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    today: () => '2026-12-07',
    openDatabase: async () => ({ db: database.db, close: async () => {} }),
    ...(signal ? { signal } : {}),
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  database = await createTestDatabase<SiteDatabase>({ migrations: jurisMigrations });
});
afterAll(() => database?.close());

describe('xmjuris', () => {
  test('sets up a court and its clerk; the clerk adds a secretary and an agent; French on demand', async () => {
    const notYet = await xmjuris(['--user', 'greffier', 'user', 'list'], { XMJURIS_PASSWORD: 'x' });
    expect(notYet.code).toBe(exitCodes['not-initialised']);
    expect(notYet.stderr).toContain('xmjuris init');

    const noPassword = await xmjuris([
      'init',
      '--matricule',
      'TGI-GB-01',
      '--centre-code',
      '200701',
      '--clerk',
      'greffier',
    ]);
    expect(noPassword.code).toBe(exitCodes['password-required']);
    expect(noPassword.stderr).toContain('XMJURIS_NEW_PASSWORD');

    const badCode = await xmjuris(
      ['--lang', 'fr', 'init', '--matricule', 'TGI-GB-01', '--centre-code', '2007', '--clerk', 'greffier'],
      { XMJURIS_NEW_PASSWORD: 'Greffier-2026!' },
    );
    expect(badCode.code).toBe(exitCodes['invalid-settings']);
    expect(badCode.stderr).toContain('Le code du centre compte 6 chiffres.');

    const init = await xmjuris(
      [
        'init',
        '--matricule',
        'TGI-GB-01',
        '--centre-code',
        '200701',
        '--name',
        'Garoua-Boulai',
        '--clerk',
        'greffier',
        '--no-key',
      ],
      { XMJURIS_NEW_PASSWORD: 'Greffier-2026!' },
    );
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect(init.stdout).toContain('Court TGI-GB-01 is set up; clerk: greffier.');
    const again = await xmjuris(['init', '--matricule', 'X', '--centre-code', '100001', '--clerk', 'y'], {
      XMJURIS_NEW_PASSWORD: 'Greffier-2026!',
    });
    expect(again.code).toBe(exitCodes.usage);

    const clerk = { XMJURIS_USER: 'greffier', XMJURIS_PASSWORD: 'Greffier-2026!' };
    const secretary = await xmjuris(
      ['--lang', 'fr', 'user', 'add', 'zambo', '--role', 'secretary', '--name', 'Zambo Kenneth'],
      {
        ...clerk,
        XMJURIS_NEW_PASSWORD: 'Secretaire-2026!',
      },
    );
    expect(secretary).toMatchObject({ code: 0, stdout: 'zambo ajouté (secrétaire).\n' });
    await xmjuris(['user', 'add', 'agent1', '--role', 'agent'], {
      ...clerk,
      XMJURIS_NEW_PASSWORD: 'Agent-2026-pass!',
    });

    // Only the clerk manages users: the secretary is refused by the kit.
    const refused = await xmjuris(['user', 'add', 'agent2', '--role', 'agent'], {
      XMJURIS_USER: 'zambo',
      XMJURIS_PASSWORD: 'Secretaire-2026!',
      XMJURIS_NEW_PASSWORD: 'Agent-2026-pass!',
    });
    expect(refused.code).toBe(exitCodes.forbidden);

    const list = await xmjuris(['--lang', 'fr', 'user', 'list'], clerk);
    expect(list.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'agent1\tagent\t',
      'greffier\tgreffier\t',
      'zambo\tsecrétaire\tZambo Kenneth',
    ]);
    const wrong = await xmjuris(['user', 'list'], { ...clerk, XMJURIS_PASSWORD: 'nope' });
    expect(wrong.code).toBe(exitCodes['bad-login']);
  });

  test('lists the bulletin rules in force, in French on demand', async () => {
    const rules = await xmjuris(['--lang', 'fr', 'rules']);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toContain('minor\tNo 2, No 3\tdécision concernant un mineur (CPP art. 775)');
    const json = await xmjuris(['--json', 'rules']);
    expect(JSON.parse(json.stdout).map((rule: { id: string }) => rule.id)).toContain('b3-not-serious');
  });

  test('serves the workstation UI on the court database until stopped', async () => {
    const stop = new AbortController();
    let stdout = '';
    let listening: (url: string) => void = () => {};
    const started = new Promise<string>((resolve) => {
      listening = resolve;
    });
    const served = runCli(['serve', '--port', '0'], {
      env: {},
      stdout: (text) => {
        stdout += text;
        const url = /at (http:\S+)/.exec(text)?.[1];
        if (url) listening(url);
      },
      stderr: () => {},
      today: () => '2026-12-07',
      openDatabase: async () => ({ db: database.db, close: async () => {} }),
      signal: stop.signal,
    });
    try {
      const url = await started;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(`${url}login`, { headers: { 'accept-language': 'fr' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Connexion · Casier judiciaire · Garoua-Boulai</title>');
    } finally {
      stop.abort();
    }
    expect(await served).toBe(0);
    expect(stdout).toContain('Listening on 127.0.0.1 only: this computer alone can reach it.');
  });

  test('refuses an address or a port it cannot listen on, before opening anything', async () => {
    const host = await xmjuris(['--lang', 'fr', 'serve', '--host', 'court.local']);
    expect(host).toMatchObject({
      code: exitCodes.usage,
      stderr: "xmjuris: court.local n'est pas une adresse IP.\n",
    });
    const port = await xmjuris(['serve', '--port', '70000']);
    expect(port).toMatchObject({
      code: exitCodes.usage,
      stderr: 'xmjuris: 70000 is not a port (0-65535).\n',
    });
  });
});
