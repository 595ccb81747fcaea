import {
  type Dictionary,
  defineDictionary,
  maxDictionaryWordLength,
  maxDictionaryWords,
} from '@xmcomm/contract';
import { type ContractTable, columnsThatTravel, type TableRegistry } from './contract.js';
import { SdcError } from './errors.js';
import type { Row } from './payload/index.js';
import { schemaTables } from './schema-registry.js';

/** Rows of one table, as a deployment's sites fill them in. */
export interface DictionarySample {
  readonly table: string;
  readonly rows: readonly Row[];
}

export interface BuildDictionaryOptions {
  /** The dictionary's name (a label: 1-100 letters, digits, dots, dashes, underscores). */
  readonly name: string;
  /** At most this many words. */
  readonly maxWords?: number;
  /** At most this many bytes: the words in UTF-8, each with its line feed (the fingerprinted form). */
  readonly maxBytes?: number;
  /**
   * A value becomes a word only when it occurs at least this often in the sample (default 5): a value
   * seen once or twice (a person's full name, an identifier) would cost room for nothing, and a
   * dictionary, which every site holds, must not carry what names one person.
   */
  readonly minCount?: number;
  /** Where the tables are found (default: the contract's exchanged tables). */
  readonly tables?: TableRegistry;
}

/** How a dictionary was built: written into its file beside the words, for the people who review it. */
export interface DictionaryBuildReport {
  readonly tables: readonly string[];
  readonly rows: number;
  readonly maxWords: number | null;
  readonly maxBytes: number | null;
  readonly minCount: number;
  /** Distinct values seen at least `minCount` times, before the budget cut. */
  readonly candidates: number;
  readonly words: number;
  readonly bytes: number;
  /** Text values of the sample (occurrences) that the dictionary's words cover. */
  readonly coverage: number;
}

export interface BuiltDictionary {
  readonly dictionary: Dictionary;
  readonly report: DictionaryBuildReport;
}

const utf8 = new TextEncoder();

interface Candidate {
  readonly value: string;
  count: number;
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
const byValue = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Builds a deployment's dictionary from a sample of its own rows: the text values that occur most,
 * in every column where the format lets a word stand for a value (text and numeric columns of a
 * contract table, every text field of a table the contract does not know).
 *
 * A value's worth is its occurrences times its length in UTF-8: about the bytes it would save in
 * single-row containers. The most worthy are taken while the budget allows (a word too long for the
 * bytes left is passed over for shorter ones). The words are then ordered by occurrences, most first,
 * so the commonest take the shortest indices (one CBOR byte for the first 24; measured against words
 * grouped by column: 3-12 bytes smaller single-row payloads, batches within 1.5 bytes a row). Ties are
 * broken by the values themselves: the same sample and options always give the same dictionary, on
 * every machine.
 *
 * Throws SdcError `invalid-input` without a budget, with a budget below one word, or when no value
 * occurs `minCount` times.
 */
export function buildDictionary(
  samples: readonly DictionarySample[],
  options: BuildDictionaryOptions,
): BuiltDictionary {
  const maxWords = options.maxWords ?? null;
  const maxBytes = options.maxBytes ?? null;
  const minCount = options.minCount ?? 5;
  if (maxWords === null && maxBytes === null)
    throw new SdcError('invalid-input', 'a dictionary needs a budget: a number of words or of bytes');
  if (maxWords !== null && (!Number.isSafeInteger(maxWords) || maxWords < 1 || maxWords > maxDictionaryWords))
    throw new SdcError('invalid-input', `the word budget must be an integer from 1 to ${maxDictionaryWords}`);
  if (maxBytes !== null && (!Number.isSafeInteger(maxBytes) || maxBytes < 2))
    throw new SdcError('invalid-input', 'the byte budget must be an integer of at least 2');
  if (!Number.isSafeInteger(minCount) || minCount < 1)
    throw new SdcError('invalid-input', 'the minimum count must be a positive integer');
  const registry = options.tables ?? schemaTables;

  const candidates = new Map<string, Candidate>();
  let rowCount = 0;
  let occurrences = 0;
  const tables: string[] = [];
  for (const sample of samples) {
    if (typeof sample.table !== 'string' || sample.table.length === 0)
      throw new SdcError('invalid-input', 'every sample names its table');
    if (!tables.includes(sample.table)) tables.push(sample.table);
    const contract = registry.findTable(sample.table);
    const columns = contract ? wordColumns(registry, contract) : undefined;
    for (const [index, row] of sample.rows.entries()) {
      if (typeof row !== 'object' || row === null || Array.isArray(row))
        throw new SdcError('invalid-input', `${sample.table}, row ${index + 1}: not an object`);
      rowCount += 1;
      for (const column of columns ?? Object.keys(row)) {
        const value = Object.hasOwn(row, column) ? row[column] : undefined;
        if (typeof value !== 'string' || !canBeWord(value)) continue;
        occurrences += 1;
        const candidate = candidates.get(value);
        if (candidate) candidate.count += 1;
        else candidates.set(value, { value, count: 1 });
      }
    }
  }

  const eligible = [...candidates.values()].filter((candidate) => candidate.count >= minCount);
  const size = (value: string) => utf8.encode(value).length + 1;
  const worth = (candidate: Candidate) => candidate.count * (size(candidate.value) - 1);
  eligible.sort((a, b) => worth(b) - worth(a) || b.count - a.count || byValue(a.value, b.value));
  const chosen: Candidate[] = [];
  let bytes = 0;
  for (const candidate of eligible) {
    if (chosen.length >= (maxWords ?? maxDictionaryWords)) break;
    const cost = size(candidate.value);
    if (maxBytes !== null && bytes + cost > maxBytes) continue;
    chosen.push(candidate);
    bytes += cost;
  }
  if (chosen.length === 0) {
    throw new SdcError(
      'invalid-input',
      eligible.length === 0
        ? `no text value occurs ${minCount} times in the sample`
        : 'the byte budget is smaller than any word',
    );
  }
  chosen.sort((a, b) => b.count - a.count || byValue(a.value, b.value));
  const dictionary = buildOrThrow(
    options.name,
    chosen.map((candidate) => candidate.value),
  );
  const coverage = chosen.reduce((sum, candidate) => sum + candidate.count, 0);
  return {
    dictionary,
    report: {
      tables,
      rows: rowCount,
      maxWords,
      maxBytes,
      minCount,
      candidates: eligible.length,
      words: chosen.length,
      bytes,
      coverage: occurrences === 0 ? 0 : Math.round((coverage / occurrences) * 1000) / 1000,
    },
  };
}

/** The columns of a contract table where a dictionary word may stand for the value (§4.3). */
function wordColumns(registry: TableRegistry, table: ContractTable): string[] {
  return columnsThatTravel(registry, table).filter((name) => {
    const type = table.columns[name]?.type;
    return type === 'text' || type === 'numeric';
  });
}

function canBeWord(value: string): boolean {
  return (
    value.length > 0 &&
    value.length <= maxDictionaryWordLength &&
    !value.includes('\n') &&
    !value.includes('\u0001')
  );
}

function buildOrThrow(name: string, words: readonly string[]): Dictionary {
  try {
    return defineDictionary(name, words);
  } catch (error) {
    throw new SdcError('invalid-input', (error as Error).message, { cause: error });
  }
}
