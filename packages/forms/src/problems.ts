import type { Position } from './json-reader.js';

/** Why a definition file is refused; one code per kind of fault, stable for scripts. */
export const formProblemCodes = [
  'too-large',
  'too-deep',
  'not-json',
  'unknown-member',
  'missing',
  'type',
  'invalid-name',
  'reserved-name',
  'duplicate',
  'unknown-field',
  'out-of-range',
  'wrong-field-type',
  'unsupported-format',
] as const;
export type FormProblemCode = (typeof formProblemCodes)[number];

/** One fault of a definition file: where (JSON path, line and column), what, in English and French. */
export interface FormProblem {
  readonly code: FormProblemCode;
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  readonly messageFr: string;
}

/** `line 12, column 7 ($.fields[3].maxLength): …`: a problem as an operator reads it. */
export function describeProblem(problem: FormProblem, language: 'en' | 'fr'): string {
  const where =
    problem.line === undefined
      ? problem.path
      : language === 'fr'
        ? `ligne ${problem.line}, colonne ${problem.column} (${problem.path})`
        : `line ${problem.line}, column ${problem.column} (${problem.path})`;
  return language === 'fr'
    ? `${where} : ${problem.messageFr} [${problem.code}]`
    : `${where}: ${problem.message} [${problem.code}]`;
}

export function problemAt(
  code: FormProblemCode,
  path: string,
  position: Position | undefined,
  message: string,
  messageFr: string,
): FormProblem {
  return {
    code,
    path,
    ...(position ? { line: position.line, column: position.column } : {}),
    message,
    messageFr,
  };
}
