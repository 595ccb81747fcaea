import { cameroonDictionary } from '@xmcomm/contract';

/**
 * The vocabulary of payload format 2 (docs/sdc-format.md §4.6): the Cameroon deployment's
 * dictionary, which format 2 implies. Its words now live in @xmcomm/contract
 * (`cameroonDictionary`), where a deployment declares its own.
 */
export const VOCABULARY: readonly string[] = cameroonDictionary.words;

const INDEX = new Map<string, number>(VOCABULARY.map((word, index) => [word, index]));

/** The word's index, or undefined when the value is not in the vocabulary. */
export function vocabularyIndex(value: string): number | undefined {
  return INDEX.get(value);
}
