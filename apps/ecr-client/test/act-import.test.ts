import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SiteDatabase, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exitCodes, runCli } from '../src/index.js';
import { birth, death } from './fixtures.js';

// `ecr act import` in-process (runCli, the same code as the bin) on one database held open for the
// file: PGlite in memory, or a fresh PostgreSQL database when DATABASE_URL is set.

let dataDir: string;
let database: TestDatabase<SiteDatabase>;

const agent = { ECR_PASSWORD: 'agent-password' };
const secretary = { ECR_PASSWORD: 'secretary-password' };
const officer = { ECR_PASSWORD: 'officer-password' };

async function ecr(args: string[], env: Record<string, string> = {}, terminal = false) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dataDir, ...args], {
    env,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stderrIsTerminal: terminal,
    today: () => '2026-03-15',
    openDatabase: async () => ({ db: database.db, close: async () => {} }),
  });
  return { code, stdout, stderr };
}

const actCount = async () => {
  const count = async (table: 'xm_data.births' | 'xm_data.marriages' | 'xm_data.deaths') =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return (
    (await count('xm_data.births')) + (await count('xm_data.marriages')) + (await count('xm_data.deaths'))
  );
};

const csvCell = (value: unknown) => {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",;\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

function csv(rows: readonly Record<string, unknown>[], separator = ','): string {
  const header = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return [header, ...rows.map((row) => header.map((column) => row[column]))]
    .map((cells) => cells.map(csvCell).join(separator))
    .join('\r\n');
}

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dataDir, name);
  await writeFile(path, content);
  return path;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ecr-import-'));
  database = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
  const init = await ecr(
    [
      'init',
      '--database-url',
      database.url,
      '--matricule',
      'CEC-YDE-01',
      '--centre-code',
      '102034',
      '--officer',
      'chef',
    ],
    { ECR_NEW_PASSWORD: officer.ECR_PASSWORD, ECR_KEY_PASSPHRASE: 'a long key passphrase' },
  );
  expect(init.code).toBe(0);
  for (const [login, role, password] of [
    ['ali', 'agent', agent.ECR_PASSWORD],
    ['sec', 'secretary', secretary.ECR_PASSWORD],
  ] as const) {
    const added = await ecr(['--user', 'chef', 'user', 'add', login, '--role', role], {
      ...officer,
      ECR_NEW_PASSWORD: password,
    });
    expect(added.code).toBe(0);
  }
});
afterAll(async () => {
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('ecr act import', () => {
  test('a CSV register becomes drafts, in the order of the file, with a JSON summary', async () => {
    const before = await actCount();
    const path = await file(
      'births.csv',
      csv([
        birth,
        { ...birth, child_given_names: 'Paul', child_sex: 'male' },
        { ...birth, child_surname: 'Abena' },
      ]),
    );
    const result = await ecr(['--json', '--user', 'ali', 'act', 'import', path, '--kind', 'birth'], agent);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      imported: number;
      byKind: Record<string, number>;
      status: number;
      verified: boolean;
      refs: string[];
      format: string;
    };
    expect(summary).toMatchObject({
      imported: 3,
      byKind: { birth: 3 },
      status: 1,
      verified: false,
      format: 'csv',
    });
    expect(await actCount()).toBe(before + 3);
    const second = await ecr(['--json', '--user', 'ali', 'act', 'show', summary.refs[1] as string], agent);
    const view = JSON.parse(second.stdout) as { status: number; fields: Record<string, unknown> };
    expect(view.status).toBe(1);
    // Typed by the contract: the weight is a number again, the time and dates as entered.
    expect(view.fields).toMatchObject({
      child_given_names: 'Paul',
      child_sex: 'male',
      weight_at_birth_grams: 3150,
      mother_children_born_alive: 2,
    });
    const history = await ecr(
      ['--json', '--user', 'ali', 'act', 'history', summary.refs[1] as string],
      agent,
    );
    expect(
      (JSON.parse(history.stdout) as { kind: string; user: string }[]).map((e) => [e.kind, e.user]),
    ).toEqual([['drafted', 'ali']]);
  });

  test("a French spreadsheet's CSV: semicolons, a byte-order mark, quoted separators and line breaks", async () => {
    const path = await file(
      'naissances.csv',
      `\uFEFF${csv([{ ...birth, child_given_names: 'Marie; "Claire"', remarks: 'né à\nla maison' }], ';')}\r\n\r\n`,
    );
    const result = await ecr(['--json', '--user', 'ali', 'act', 'import', path, '--kind', 'birth'], agent);
    expect(result.code).toBe(0);
    const { refs } = JSON.parse(result.stdout) as { refs: string[] };
    const view = JSON.parse(
      (await ecr(['--json', '--user', 'ali', 'act', 'show', refs[0] as string], agent)).stdout,
    );
    expect(view.fields.child_given_names).toBe('Marie; "Claire"');
    expect(view.fields.remarks).toBe('né à\nla maison');
  });

  test('one refused row stores nothing; every refused row is named with its line, field and reason, in French', async () => {
    const before = await actCount();
    const text = [
      csv([birth]),
      csv([{ ...birth, date_of_birth: '2023-02-29' }]).split('\r\n')[1],
      csv([birth]).split('\r\n')[1],
      'Ngono,only three,cells',
      csv([{ ...birth, date_of_declaration: '2027-01-01' }]).split('\r\n')[1],
    ].join('\n');
    const path = await file('refused.csv', text);
    const human = await ecr(
      ['--lang', 'fr', '--user', 'ali', 'act', 'import', path, '--kind', 'birth'],
      agent,
    );
    expect(human.code).toBe(exitCodes['import-refused']);
    expect(human.code).toBe(exitCodes['invalid-act']); // the same "data refused" status as one act
    expect(human.stdout).toBe('');
    expect(human.stderr).toContain(`3 ligne(s) de ${path} refusée(s) : rien n'a été importé.`);
    expect(human.stderr).toContain(
      "ligne 3 : date_of_birth n'est pas une date qui existe (format attendu AAAA-MM-JJ). [invalid-date]",
    );
    expect(human.stderr).toMatch(/ligne 5 : Cette ligne a 3 valeurs pour les \d+ colonnes de l'en-tête\./);
    expect(human.stderr).toContain('ligne 6 : date_of_declaration est dans le futur. [in-the-future]');
    expect(human.stderr).not.toMatch(/ligne [124] /);
    expect(await actCount()).toBe(before);

    const json = await ecr(['--json', '--user', 'ali', 'act', 'import', path, '--kind', 'birth'], agent);
    expect(json.code).toBe(exitCodes['import-refused']);
    const { error } = JSON.parse(json.stderr) as {
      error: { code: string; fields: { line: number; field: string; code: string }[] };
    };
    expect(error.code).toBe('import-refused');
    expect(error.fields.map((f) => [f.line, f.field, f.code])).toEqual([
      [3, 'date_of_birth', 'invalid-date'],
      [5, '-', 'invalid-format'],
      [6, 'date_of_declaration', 'in-the-future'],
    ]);
  });

  test('a refusal found only by the rules of the batch stores nothing either', async () => {
    const before = await actCount();
    const path = await file(
      'rules.csv',
      csv([
        birth,
        birth,
        { ...birth, mother_date_of_birth: '2020-01-01' },
        { ...birth, child_sex: 'unknown' },
      ]),
    );
    const result = await ecr(['--json', '--user', 'ali', 'act', 'import', path, '--kind', 'birth'], agent);
    expect(result.code).toBe(exitCodes['import-refused']);
    const { error } = JSON.parse(result.stderr) as { error: { fields: { line: number; code: string }[] } };
    expect(error.fields.map((f) => [f.line, f.code])).toEqual([
      [4, 'too-young'],
      [5, 'not-allowed'],
    ]);
    expect(await actCount()).toBe(before);
  });

  test('JSON lines of several kinds, a kind per line; a line that is not JSON is refused by its number', async () => {
    const before = await actCount();
    const lines = [
      JSON.stringify({ kind: 'birth', ...birth }),
      '',
      JSON.stringify({ kind: 'death', ...death }),
    ];
    const good = await file('mixed.jsonl', `${lines.join('\n')}\n`);
    const result = await ecr(['--json', '--user', 'ali', 'act', 'import', good], agent);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { byKind: Record<string, number>; refs: string[] };
    expect(summary.byKind).toEqual({ birth: 1, death: 1 });
    expect(summary.refs[0]).toMatch(/^B\d+$/);
    expect(summary.refs[1]).toMatch(/^D\d+$/);
    expect(await actCount()).toBe(before + 2);

    const bad = await file(
      'bad.ndjson',
      [...lines, '{"kind": "birth", oops', '[1, 2]', '{"kind":"divorce"}'].join('\n'),
    );
    const refused = await ecr(['--json', '--user', 'ali', 'act', 'import', bad], agent);
    expect(refused.code).toBe(exitCodes['import-refused']);
    const { error } = JSON.parse(refused.stderr) as { error: { fields: { line: number; field: string }[] } };
    expect(error.fields.map((f) => [f.line, f.field])).toEqual([
      [4, '-'],
      [5, '-'],
      [6, 'kind'],
    ]);
    expect(await actCount()).toBe(before + 2);
  });

  test('a CSV of several kinds: a kind column, and each row fills the columns of its own kind', async () => {
    const before = await actCount();
    const path = await file(
      'register.csv',
      csv([
        { kind: 'birth', ...birth },
        { kind: 'death', ...death },
      ]),
    );
    const result = await ecr(['--json', '--user', 'ali', 'act', 'import', path], agent);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).byKind).toEqual({ birth: 1, death: 1 });
    expect(await actCount()).toBe(before + 2);

    // A birth with a death's field filled in is refused by the contract, as `act new` would.
    const mixed = await file(
      'mixed.csv',
      csv([
        { kind: 'birth', ...birth, certifier: 'physician' },
        { kind: 'death', ...death },
      ]),
    );
    const refused = await ecr(['--json', '--user', 'ali', 'act', 'import', mixed], agent);
    expect(refused.code).toBe(exitCodes['import-refused']);
    const { error } = JSON.parse(refused.stderr) as {
      error: { fields: { line: number; field: string; code: string }[] };
    };
    expect(error.fields.map((f) => [f.line, f.field, f.code])).toEqual([[2, 'certifier', 'unknown-field']]);
    expect(await actCount()).toBe(before + 2);
  });

  test('--verify goes no further than the user could one act at a time', async () => {
    const before = await actCount();
    const path = await file('verify.csv', csv([birth, birth]));
    const agentTry = await ecr(
      ['--user', 'ali', 'act', 'import', path, '--kind', 'birth', '--verify'],
      agent,
    );
    expect(agentTry.code).toBe(exitCodes['permission-denied']);
    expect(agentTry.stderr).toContain('may not verify acts');
    expect(await actCount()).toBe(before);

    const done = await ecr(
      ['--json', '--user', 'sec', 'act', 'import', path, '--kind', 'birth', '--verify'],
      secretary,
    );
    expect(done.code).toBe(0);
    const { refs, verified } = JSON.parse(done.stdout) as { refs: string[]; verified: boolean };
    expect(verified).toBe(true);
    // Verified as `act verify` leaves an act: the officer validates it at once.
    const validated = await ecr(['--json', '--user', 'chef', 'act', 'validate', refs[0] as string], officer);
    expect(validated.code).toBe(0);
    expect(JSON.parse(validated.stdout).niu).toMatch(/^102034-2026-/);
  });

  test('a long import draws its progress on a terminal, and never with --json', async () => {
    const path = await file(
      'progress.csv',
      csv(Array.from({ length: 600 }, (_, i) => ({ ...birth, child_surname: `N${i}` }))),
    );
    const shown = await ecr(['--user', 'ali', 'act', 'import', path, '--kind', 'birth'], agent, true);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain('\rchecking        500/600 (83 %)');
    expect(shown.stderr).toContain('\rstoring         600/600 (100 %)');
    expect(shown.stdout).toMatch(
      /^Imported 600 act\(s\) from .*progress\.csv \(600 birth\) as drafts: B\d+ … B\d+\.\n$/,
    );
    const quiet = await ecr(
      ['--json', '--user', 'ali', 'act', 'import', path, '--kind', 'birth'],
      agent,
      true,
    );
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  describe('hostile files are refused whole, with a clear message and no crash', () => {
    const refusedWith = async (
      name: string,
      content: string | Buffer,
      expected: string,
      extra: string[] = [],
    ) => {
      const before = await actCount();
      const path = await file(name, content);
      const result = await ecr(['--user', 'ali', 'act', 'import', path, '--kind', 'birth', ...extra], agent);
      expect(result.stderr).toContain(expected);
      expect(result.code).toBe(exitCodes.file);
      expect(await actCount()).toBe(before);
      return result;
    };

    test('too big, read no further than its size', async () => {
      const path = await file('huge.csv', '');
      await truncate(path, 33 * 1024 * 1024);
      const result = await ecr(
        ['--lang', 'fr', '--user', 'ali', 'act', 'import', path, '--kind', 'birth'],
        agent,
      );
      expect(result.code).toBe(exitCodes.file);
      expect(result.stderr).toContain(`Impossible d'importer ${path} : il dépasse 32 Mio`);
    });

    test('a stream without end (/dev/zero) is read no further than the limit', async () => {
      const result = await ecr(
        ['--user', 'ali', 'act', 'import', '/dev/zero', '--format', 'csv', '--kind', 'birth'],
        agent,
      );
      expect(result.code).toBe(exitCodes.file);
      expect(result.stderr).toContain('Cannot import /dev/zero: it is larger than 32 MiB');
    });

    test('binary: a spreadsheet saved as .xlsx, renamed', async () => {
      await refusedWith(
        'sheet.csv',
        Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x14]),
        'it is a binary file',
      );
    });

    test('not UTF-8: a register saved in Latin-1', async () => {
      await refusedWith(
        'latin1.csv',
        Buffer.from(`child_surname,place_of_birth_locality\nNgono,Yaound\xe9\n`, 'latin1'),
        'it is not UTF-8 text',
      );
    });

    test('a duplicated or unknown column, a header cell without a name', async () => {
      await refusedWith(
        'twice.csv',
        'child_surname,child_sex,child_surname\nA,female,B\n',
        'the header names child_surname twice',
      );
      await refusedWith(
        'unknown.csv',
        'child_surname,birth_weight,niu\nA,3000,x\n',
        'the header names unknown columns: birth_weight, niu',
      );
      await refusedWith(
        'unnamed.csv',
        'child_surname,,child_sex\nA,,female\n',
        'column 2 of the header has no name',
      );
    });

    test('an unterminated quote, an empty file, a file with a header and nothing else', async () => {
      await refusedWith(
        'quote.csv',
        'child_surname,remarks\nA,"never closed\n',
        'the quoted value that starts on line 2 is never closed',
      );
      await refusedWith('empty.csv', '', 'it is empty');
      await refusedWith('header.csv', 'child_surname,child_sex\n', 'it holds no act');
    });

    test('a format it cannot tell, and no act type at all, are usage errors', async () => {
      const xlsx = await file('register.xlsx', 'x');
      const unknownFormat = await ecr(['--user', 'ali', 'act', 'import', xlsx, '--kind', 'birth'], agent);
      expect(unknownFormat.code).toBe(exitCodes.usage);
      expect(unknownFormat.stderr).toContain('--format csv or --format jsonl');
      const noKind = await ecr(
        ['--user', 'ali', 'act', 'import', await file('nokind.csv', csv([birth]))],
        agent,
      );
      expect(noKind.code).toBe(exitCodes.usage);
      expect(noKind.stderr).toContain('--kind birth|marriage|death, or a kind column');
    });
  });
});
