import { basename } from 'node:path';
import { cameroonDictionary, type Dictionary, dictionaryToJson, parseDictionary } from '@xmcomm/contract';
import type { Command } from 'commander';
import { CliFailure, EXIT_CODES, readText, write } from './cli-files.js';
import { buildDictionary, type DictionarySample } from './dictionary-build.js';
import { SdcError } from './errors.js';
import type { Row } from './payload/index.js';

// `sdc dictionary`: a deployment's dictionary, built from a sample of its own rows.

/** One JSON object per line (blank lines skipped): a sample of rows as a database export gives it. */
function readJsonLines(path: string): Row[] {
  const rows: Row[] = [];
  for (const [index, line] of readText(path).split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new CliFailure(
        EXIT_CODES['invalid-input'],
        `${path}, line ${index + 1} is not JSON: ${(error as Error).message}`,
        `${path}, ligne ${index + 1} : ce n'est pas du JSON (${(error as Error).message})`,
      );
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw new CliFailure(
        EXIT_CODES['invalid-input'],
        `${path}, line ${index + 1} is not a JSON object`,
        `${path}, ligne ${index + 1} : ce n'est pas un objet JSON`,
      );
    rows.push(row as Row);
  }
  return rows;
}

/** `--budget 500` (words), `--budget 6000B` or `--budget 8KiB` (bytes). */
function parseBudget(text: string): { maxWords: number } | { maxBytes: number } {
  const match = /^(\d{1,9})(B|KiB)?$/i.exec(text.trim());
  const amount = match ? Number(match[1]) : Number.NaN;
  if (!match || amount < 1)
    throw new CliFailure(
      EXIT_CODES.usage,
      `--budget takes a number of words (500) or of bytes (6000B, 8KiB), not "${text}"`,
      `--budget attend un nombre de mots (500) ou d'octets (6000B, 8KiB), pas « ${text} »`,
    );
  const unit = match[2]?.toLowerCase();
  return unit === undefined ? { maxWords: amount } : { maxBytes: unit === 'kib' ? amount * 1024 : amount };
}

/** A dictionary file (`sdc dictionary build` writes them), checked against its fingerprint. */
export function readDictionary(path: string): Dictionary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(path));
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    throw new CliFailure(
      EXIT_CODES['invalid-input'],
      `${path} is not JSON: ${(error as Error).message}`,
      `${path} n'est pas du JSON : ${(error as Error).message}`,
    );
  }
  try {
    return parseDictionary(parsed);
  } catch (error) {
    throw new CliFailure(
      EXIT_CODES['invalid-input'],
      `${path} is not a dictionary file: ${(error as Error).message}`,
      `${path} n'est pas un fichier de dictionnaire : ${(error as Error).message}`,
    );
  }
}

/** `--dictionary dict.json|none` of the commands that pack: the encoder's option (none given: the default). */
export function packingDictionary(path: string | undefined): { dictionary?: Dictionary | null } {
  if (path === undefined) return {};
  return { dictionary: path === 'none' ? null : readDictionary(path) };
}

/** `--dictionary dict.json` (repeated) of the commands that open: those, and the Cameroon list. */
export function heldDictionaries(paths: readonly string[]): Dictionary[] {
  return [cameroonDictionary, ...paths.map(readDictionary)];
}

/** Adds `sdc dictionary build` to the program; `language` picks the language of its own messages. */
export function addDictionaryCommands(
  program: Command,
  err: (line: string) => void,
  language: () => 'en' | 'fr',
): void {
  const dictionary = program
    .command('dictionary')
    .description("a deployment's dictionary: words that travel as an index instead of their letters");
  dictionary
    .command('build')
    .description(
      "build a dictionary from a sample of the deployment's own rows: the most frequent text values",
    )
    .requiredOption(
      '--table <name>',
      'table of the next --sample (repeat with each --sample for several tables)',
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .requiredOption(
      '--sample <rows.jsonl>',
      'rows of that table, one JSON object per line (repeat for several tables)',
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .requiredOption('--budget <n|nB|nKiB>', 'size limit: a number of words (500), or of bytes (6000B, 8KiB)')
    .option('--name <name>', "the dictionary's name (default: the output file's name)")
    .option(
      '--min-count <n>',
      'a value becomes a word only when it occurs at least this often',
      (value) => Number.parseInt(value, 10),
      5,
    )
    .requiredOption('--out <dict.json>', 'output file (JSON, to commit with the deployment)')
    .action((options) => {
      const tables = options.table as string[];
      const paths = options.sample as string[];
      if (tables.length !== paths.length)
        throw new CliFailure(
          EXIT_CODES.usage,
          'give one --table for each --sample, in the same order',
          'donnez une --table pour chaque --sample, dans le même ordre',
        );
      if (!Number.isSafeInteger(options.minCount) || options.minCount < 1)
        throw new CliFailure(
          EXIT_CODES.usage,
          '--min-count takes a positive whole number',
          '--min-count attend un nombre entier positif',
        );
      const samples: DictionarySample[] = paths.map((path, i) => ({
        table: tables[i] as string,
        rows: readJsonLines(path),
      }));
      const name: string = options.name ?? basename(options.out).replace(/\.json$/i, '');
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name))
        throw new CliFailure(
          EXIT_CODES.usage,
          `"${name}" cannot name a dictionary (1-100 letters, digits, dots, dashes, underscores): give --name`,
          `« ${name} » ne peut pas nommer un dictionnaire (1 à 100 lettres, chiffres, points, tirets, soulignés) : donnez --name`,
        );
      const budget = parseBudget(options.budget);
      const rowCount = samples.reduce((sum, sample) => sum + sample.rows.length, 0);
      let result: ReturnType<typeof buildDictionary>;
      try {
        result = buildDictionary(samples, { name, ...budget, minCount: options.minCount });
      } catch (error) {
        // The sample is too small or too varied for the options: say so in the user's language.
        if (SdcError.isInstance(error) && error.code === 'invalid-input')
          throw new CliFailure(
            EXIT_CODES['invalid-input'],
            `no dictionary from ${rowCount} row(s): ${error.message}`,
            `aucun dictionnaire à partir de ${rowCount} fiche(s) : aucune valeur de texte ne revient ${options.minCount} fois, ou le budget est plus petit que le moindre mot`,
          );
        throw error;
      }
      const { dictionary: built, report } = result;
      write(options.out, dictionaryToJson(built, report));
      const coverage = Math.round(report.coverage * 100);
      const fingerprint = built.fingerprint.slice(0, 16);
      err(
        language() === 'fr'
          ? `${options.out} écrit : ${report.words} mot(s), ${report.bytes} octets, tirés de ${report.rows} fiche(s) ; ` +
              `ils couvrent ${coverage} % des valeurs de texte de l'échantillon ; empreinte ${fingerprint}`
          : `wrote ${options.out}: ${report.words} word(s), ${report.bytes} bytes, from ${report.rows} row(s); ` +
              `they cover ${coverage}% of the sample's text values; fingerprint ${fingerprint}`,
      );
    });
}
