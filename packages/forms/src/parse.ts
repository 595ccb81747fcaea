import { checkDefinition } from './check.js';
import { type CompiledForm, compileForm } from './compile.js';
import type { FormDefinition } from './definition.js';
import { defaultReadLimits, type ReadLimits, readJson } from './json-reader.js';
import { type FormProblem, problemAt } from './problems.js';

export type ParseResult =
  | { readonly ok: true; readonly definition: FormDefinition; readonly form: CompiledForm }
  | { readonly ok: false; readonly problems: readonly FormProblem[] };

const readFailure = {
  'too-large': ['The definition is too large', 'La définition est trop grande'],
  'too-deep': ['The definition is nested too deeply', 'La définition est imbriquée trop profondément'],
  'not-json': ['The definition is not valid JSON', "La définition n'est pas du JSON valide"],
} as const;

/**
 * Reads a definition file's text: strict JSON, checked member by member, then compiled into the
 * table, rules and template. Never throws on hostile input: every fault is a problem with its place.
 */
export function parseFormDefinition(text: string, limits: ReadLimits = defaultReadLimits): ParseResult {
  if (typeof text !== 'string') {
    return { ok: false, problems: [problemAt('not-json', '$', undefined, 'Not a text.', 'Pas un texte.')] };
  }
  const read = readJson(text, limits);
  if (!read.ok) {
    const [en, fr] = readFailure[read.code];
    return {
      ok: false,
      problems: [
        problemAt(read.code, '$', read.position, `${en}: ${read.detail}.`, `${fr} : ${read.detailFr}.`),
      ],
    };
  }
  const checked = checkDefinition(read.value, read.positions);
  if (!checked.ok) return checked;
  return { ok: true, definition: checked.value, form: compileForm(checked.value) };
}
