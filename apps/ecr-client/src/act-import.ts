import { open } from 'node:fs/promises';
import { births, dataColumns, deaths, marriages } from '@xmcomm/schema';
import { workflowColumnNames } from '@xmcomm/site-kit';
import { EcrError, type LocatedFieldError } from './errors.js';
import { fileError } from './files.js';
import { type ActKind, actKinds } from './rules.js';

// `ecr act import`: a paper register typed into a spreadsheet (CSV with a header row) or a script's
// JSON lines, turned into acts to draft. This file reads and parses; the rows then go through the
// kit's batch draft (act-import-command.ts), the same checks as `ecr act new` for each.

export const importFormats = ['csv', 'jsonl'] as const;
export type ImportFormat = (typeof importFormats)[number];

export interface ImportLimits {
  /** Largest file read (32 MiB: some 50,000 births). */
  readonly maxBytes: number;
  /** Most rows in one file (one transaction). */
  readonly maxRows: number;
}

export const importLimits: ImportLimits = { maxBytes: 32 * 1024 * 1024, maxRows: 100_000 };

/** One act to draft, with the line of the file it starts on. */
export interface ImportRow {
  readonly line: number;
  readonly kind: ActKind;
  readonly input: Record<string, unknown>;
}

/** A refusal of one row: its line, the field, and why (English and French). */
export type RowProblem = LocatedFieldError & { readonly line: number };

export interface ParsedImport {
  readonly rows: readonly ImportRow[];
  /** Rows refused before their fields are checked: not JSON, no act type, a wrong number of cells. */
  readonly problems: readonly RowProblem[];
}

const tables = { birth: births, marriage: marriages, death: deaths } as const;
const kindColumn = 'kind';

/** The fields an author may give for an act of `kind`, as the contract names them. */
function authorColumns(kind: ActKind): readonly string[] {
  const workflow: readonly string[] = workflowColumnNames;
  return dataColumns(tables[kind]).filter((column) => !workflow.includes(column));
}

function columnType(kind: ActKind, column: string): string | undefined {
  return (tables[kind].columns as Record<string, { type: string } | undefined>)[column]?.type;
}

/** The refusal of the whole file, before any row: it names the file and what is wrong with it. */
function refuseFile(path: string, problem: string, problemFr: string, cause?: unknown): EcrError {
  return new EcrError(
    'file',
    { path, action: 'Cannot import', actionFr: "Impossible d'importer", problem, problemFr },
    cause === undefined ? {} : { cause },
  );
}

/** `--format`, else the file's extension (`.csv`, `.jsonl` / `.ndjson`). */
export function formatOf(path: string, given?: ImportFormat): ImportFormat {
  if (given) return given;
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  throw new EcrError('usage', {
    detail: `Say the format of ${path}: --format csv or --format jsonl.`,
    detailFr: `Indiquez le format de ${path} : --format csv ou --format jsonl.`,
  });
}

/**
 * The file's text: refused whole when too big, binary (a NUL byte, a spreadsheet saved as .xlsx)
 * or not UTF-8 (a register saved in Latin-1), never read into memory past the limit.
 */
export async function readImportText(path: string, limits: ImportLimits = importLimits): Promise<string> {
  const mib = (limits.maxBytes / 1024 / 1024).toFixed(0);
  const tooBig = () =>
    refuseFile(
      path,
      `it is larger than ${mib} MiB; split it into several files`,
      `il dépasse ${mib} Mio ; découpez-le en plusieurs fichiers`,
    );
  let bytes: Buffer;
  try {
    const file = await open(path, 'r');
    try {
      if ((await file.stat()).size > limits.maxBytes) throw tooBig();
      // Read in chunks, never past the limit: a pipe or a file still growing has no size to trust.
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const chunk = Buffer.alloc(1024 * 1024);
        const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total > limits.maxBytes) throw tooBig();
        chunks.push(chunk.subarray(0, bytesRead));
      }
      bytes = Buffer.concat(chunks, total);
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof EcrError) throw error;
    throw fileError(error, path, 'read');
  }
  if (bytes.includes(0)) {
    throw refuseFile(
      path,
      'it is a binary file, not text (save the sheet as CSV, UTF-8)',
      "c'est un fichier binaire, pas du texte (enregistrez la feuille en CSV, UTF-8)",
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw refuseFile(
      path,
      'it is not UTF-8 text (save it as CSV UTF-8)',
      "il n'est pas en UTF-8 (enregistrez-le en CSV UTF-8)",
      cause,
    );
  }
}

function problem(line: number, field: string, code: RowProblem['code'], en: string, fr: string): RowProblem {
  return { line, field, code, message: en, messageFr: fr };
}

function parseKind(value: unknown, line: number, fallback?: ActKind): ActKind | RowProblem {
  if (value === undefined || value === null || value === '') {
    return (
      fallback ??
      problem(
        line,
        kindColumn,
        'required',
        'kind is empty: birth, marriage or death (or --kind for the whole file).',
        'kind est vide : birth, marriage ou death (ou --kind pour tout le fichier).',
      )
    );
  }
  if (typeof value === 'string' && (actKinds as readonly string[]).includes(value.trim())) {
    return value.trim() as ActKind;
  }
  return problem(
    line,
    kindColumn,
    'not-allowed',
    `kind must be one of: birth, marriage, death (not ${JSON.stringify(value)}).`,
    `kind doit valoir birth, marriage ou death (et non ${JSON.stringify(value)}).`,
  );
}

/** Parses the file's text into acts to draft, or refuses the whole file (header, size, syntax). */
export function parseImport(
  path: string,
  text: string,
  format: ImportFormat,
  kind: ActKind | undefined,
  limits: ImportLimits = importLimits,
): ParsedImport {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return format === 'csv' ? parseCsv(path, body, kind, limits) : parseJsonLines(path, body, kind, limits);
}

function tooManyRows(path: string, limits: ImportLimits): EcrError {
  return refuseFile(
    path,
    `it has more than ${limits.maxRows} rows; split it into several files`,
    `il a plus de ${limits.maxRows} lignes ; découpez-le en plusieurs fichiers`,
  );
}

function parseJsonLines(
  path: string,
  text: string,
  fallback: ActKind | undefined,
  limits: ImportLimits,
): ParsedImport {
  const rows: ImportRow[] = [];
  const problems: RowProblem[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const source = lines[index]?.trim() ?? '';
    const line = index + 1;
    if (source === '') continue;
    if (rows.length + problems.length >= limits.maxRows) throw tooManyRows(path, limits);
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch {
      problems.push(
        problem(line, '-', 'invalid-format', 'This line is not JSON.', "Cette ligne n'est pas du JSON."),
      );
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(
        problem(
          line,
          '-',
          'type',
          'This line is not a JSON object of fields.',
          "Cette ligne n'est pas un objet JSON de champs.",
        ),
      );
      continue;
    }
    const { [kindColumn]: kindValue, ...input } = value as Record<string, unknown>;
    const kind = parseKind(kindValue, line, fallback);
    if (typeof kind === 'string') rows.push({ line, kind, input });
    else problems.push(kind);
  }
  return { rows, problems };
}

/** The separator a spreadsheet used: `,`, or `;` (French locales), or a tab, from the header line. */
function separatorOf(text: string): string {
  const end = text.search(/\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  const counts = [',', ';', '\t'].map((separator) => ({
    separator,
    count: header.split(separator).length - 1,
  }));
  counts.sort((a, b) => b.count - a.count);
  return counts[0]?.count ? (counts[0].separator as string) : ',';
}

/** RFC 4180 records: quoted cells may hold separators, quotes (doubled) and line breaks. */
function* csvRecords(
  path: string,
  text: string,
  separator: string,
): Generator<{ line: number; cells: string[] }> {
  let line = 1;
  let start = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (quoted) {
      if (char === '"') {
        if (text[index + 1] === '"') {
          cell += '"';
          index += 1;
        } else quoted = false;
      } else {
        if (char === '\n') line += 1;
        cell += char;
      }
    } else if (char === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (char === separator) {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      cells.push(cell);
      yield { line: start, cells };
      line += 1;
      start = line;
      cells = [];
      cell = '';
    } else cell += char;
    index += 1;
  }
  if (quoted) {
    throw refuseFile(
      path,
      `the quoted value that starts on line ${start} is never closed`,
      `la valeur entre guillemets qui commence à la ligne ${start} n'est jamais fermée`,
    );
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    yield { line: start, cells };
  }
}

/** A cell as the contract expects it: numbers for numeric columns, booleans; text trimmed. */
function typed(kind: ActKind, column: string, raw: string): unknown {
  const text = raw.trim();
  const type = columnType(kind, column);
  if (type === 'integer' || type === 'smallint' || type === 'bigint') {
    return /^-?\d+$/.test(text) ? Number(text) : text;
  }
  if (type === 'numeric') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (type === 'boolean') {
    const lower = text.toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : text;
  }
  return text;
}

function parseCsv(
  path: string,
  text: string,
  fallback: ActKind | undefined,
  limits: ImportLimits,
): ParsedImport {
  const records = csvRecords(path, text, separatorOf(text));
  const first = records.next();
  if (first.done) throw refuseFile(path, 'it is empty', 'il est vide');
  const header = first.value.cells.map((name) => name.trim());
  const seen = new Set<string>();
  for (const [position, name] of header.entries()) {
    if (name === '') {
      throw refuseFile(
        path,
        `column ${position + 1} of the header has no name`,
        `la colonne ${position + 1} de l'en-tête n'a pas de nom`,
      );
    }
    if (seen.has(name)) {
      throw refuseFile(path, `the header names ${name} twice`, `l'en-tête nomme ${name} deux fois`);
    }
    seen.add(name);
  }
  const hasKind = seen.has(kindColumn);
  if (!hasKind && !fallback) {
    throw new EcrError('usage', {
      detail: 'Say the type of the acts: --kind birth|marriage|death, or a kind column.',
      detailFr: 'Indiquez le type des actes : --kind birth|marriage|death, ou une colonne kind.',
    });
  }
  const allowed = new Set((hasKind ? actKinds : [fallback as ActKind]).flatMap(authorColumns));
  const unknown = header.filter((name) => name !== kindColumn && !allowed.has(name));
  if (unknown.length > 0) {
    const names = unknown.slice(0, 10).join(', ') + (unknown.length > 10 ? ', …' : '');
    throw refuseFile(
      path,
      `the header names unknown columns: ${names} (the first line names the act's fields, as in docs/database.md)`,
      `l'en-tête nomme des colonnes inconnues : ${names} (la première ligne nomme les champs de l'acte, comme dans docs/database.md)`,
    );
  }
  const rows: ImportRow[] = [];
  const problems: RowProblem[] = [];
  for (const { line, cells } of records) {
    if (cells.every((cell) => cell.trim() === '')) continue;
    if (rows.length + problems.length >= limits.maxRows) throw tooManyRows(path, limits);
    if (cells.length !== header.length) {
      problems.push(
        problem(
          line,
          '-',
          'invalid-format',
          `This row has ${cells.length} values for the header's ${header.length} columns.`,
          `Cette ligne a ${cells.length} valeurs pour les ${header.length} colonnes de l'en-tête.`,
        ),
      );
      continue;
    }
    const kindAt = header.indexOf(kindColumn);
    const kind = parseKind(kindAt < 0 ? undefined : cells[kindAt]?.trim(), line, fallback);
    if (typeof kind !== 'string') {
      problems.push(kind);
      continue;
    }
    const input: Record<string, unknown> = {};
    header.forEach((column, position) => {
      const raw = cells[position] ?? '';
      // An empty cell is a field left blank; a cell of another act type's column is the contract's to refuse.
      if (column !== kindColumn && raw.trim() !== '') input[column] = typed(kind, column, raw);
    });
    rows.push({ line, kind, input });
  }
  return { rows, problems };
}
