import type { Command, CommanderError } from 'commander';
import type { Language } from './language.js';
import { commandPath } from './texts.js';

/** What was wrong with a command line, read from commander's error. */
export type UsageProblem =
  | { readonly kind: 'unknown-command'; readonly name: string; readonly suggestions: readonly string[] }
  | { readonly kind: 'unknown-option'; readonly flag: string; readonly suggestions: readonly string[] }
  | { readonly kind: 'missing-argument'; readonly name: string }
  | { readonly kind: 'missing-option-value'; readonly flags: string }
  | { readonly kind: 'missing-option'; readonly flags: string }
  | {
      readonly kind: 'invalid-value';
      readonly target: string;
      readonly value: string;
      readonly variable?: string;
      readonly choices?: readonly string[];
      readonly reason?: string;
    }
  | { readonly kind: 'too-many-arguments'; readonly expected: number; readonly received: number }
  | { readonly kind: 'conflicting-options'; readonly first: string; readonly second: string }
  | { readonly kind: 'other'; readonly message: string };

/**
 * Reads commander's English message by its error code. Commander 14 passes only the message to its
 * exit callback, with the names in single quotes and a suggestion on a second line; the tests of
 * every case keep this honest when commander changes. What cannot be read stays `other`, its text.
 */
export function readUsageProblem(error: CommanderError): UsageProblem {
  const [head = '', ...rest] = error.message.split('\n');
  const text = head.replace(/^error: /, '');
  const suggestionLine = /^\(Did you mean (?:one of )?(.+)\?\)$/.exec(rest.join('\n'));
  const suggestions = suggestionLine?.[1]?.split(', ') ?? [];
  let match: RegExpExecArray | null;
  switch (error.code) {
    case 'commander.unknownCommand':
      match = /^unknown command '(.*)'$/.exec(text);
      if (match) return { kind: 'unknown-command', name: match[1] ?? '', suggestions };
      break;
    case 'commander.unknownOption':
      match = /^unknown option '(.*)'$/.exec(text);
      if (match) return { kind: 'unknown-option', flag: match[1] ?? '', suggestions };
      break;
    case 'commander.missingArgument':
      match = /^missing required argument '(.*)'$/.exec(text);
      if (match) return { kind: 'missing-argument', name: match[1] ?? '' };
      break;
    case 'commander.optionMissingArgument':
      match = /^option '(.*)' argument missing$/.exec(text);
      if (match) return { kind: 'missing-option-value', flags: match[1] ?? '' };
      break;
    case 'commander.missingMandatoryOptionValue':
      match = /^required option '(.*)' not specified$/.exec(text);
      if (match) return { kind: 'missing-option', flags: match[1] ?? '' };
      break;
    case 'commander.invalidArgument': {
      const whole = [text, ...rest].join('\n');
      const option = /^option '(.*?)' argument '(.*)' is invalid\.(?: ([\s\S]*))?$/.exec(whole);
      const fromEnv = /^option '(.*?)' value '(.*)' from env '(.*?)' is invalid\.(?: ([\s\S]*))?$/.exec(
        whole,
      );
      const argument =
        /^command-argument value '(.*)' is invalid for argument '(.*?)'\.(?: ([\s\S]*))?$/.exec(whole);
      const found = fromEnv
        ? { target: fromEnv[1], value: fromEnv[2], variable: fromEnv[3], reason: fromEnv[4] }
        : option
          ? { target: option[1], value: option[2], reason: option[3] }
          : argument
            ? { target: `<${argument[2]}>`, value: argument[1], reason: argument[3] }
            : undefined;
      if (found) {
        const choices = /^Allowed choices are (.*)\.$/.exec(found.reason ?? '');
        return {
          kind: 'invalid-value',
          target: found.target ?? '',
          value: found.value ?? '',
          ...(found.variable ? { variable: found.variable } : {}),
          ...(choices
            ? { choices: (choices[1] ?? '').split(', ') }
            : found.reason
              ? { reason: found.reason }
              : {}),
        };
      }
      break;
    }
    case 'commander.excessArguments':
      match = /Expected (\d+) arguments? but got (\d+)\.$/.exec(text);
      if (match) {
        return { kind: 'too-many-arguments', expected: Number(match[1]), received: Number(match[2]) };
      }
      break;
    case 'commander.conflictingOption':
      match =
        /^(?:option|environment variable) '(.*?)' cannot be used with (?:option|environment variable) '(.*)'$/.exec(
          text,
        );
      if (match) return { kind: 'conflicting-options', first: match[1] ?? '', second: match[2] ?? '' };
      break;
  }
  return { kind: 'other', message: [text, ...rest].join(' ') };
}

const quotes: { readonly [L in Language]: (text: string) => string } = {
  en: (text) => `"${text}"`,
  fr: (text) => `« ${text} »`,
};

function either(items: readonly string[], language: Language): string {
  const quoted = items.map(quotes[language]);
  const last = quoted.pop() ?? '';
  return quoted.length === 0 ? last : `${quoted.join(', ')} ${language === 'fr' ? 'ou' : 'or'} ${last}`;
}

/** French agrees 0 and 1 in the singular. */
const frenchPlural = (count: number) => (count > 1 ? 's' : '');

/** One sentence naming what was wrong, in the user's language. */
export function describeUsageProblem(problem: UsageProblem, command: Command, language: Language): string {
  const q = quotes[language];
  const fr = language === 'fr';
  switch (problem.kind) {
    case 'unknown-command': {
      const guess =
        problem.suggestions.length === 0
          ? ''
          : fr
            ? ` Vouliez-vous dire ${either(problem.suggestions, language)} ?`
            : ` Did you mean ${either(problem.suggestions, language)}?`;
      return fr
        ? `Commande inconnue ${q(problem.name)}.${guess}`
        : `Unknown command ${q(problem.name)}.${guess}`;
    }
    case 'unknown-option': {
      const guess =
        problem.suggestions.length === 0
          ? ''
          : fr
            ? ` Vouliez-vous dire ${either(problem.suggestions, language)} ?`
            : ` Did you mean ${either(problem.suggestions, language)}?`;
      return fr
        ? `Option inconnue ${q(problem.flag)}.${guess}`
        : `Unknown option ${q(problem.flag)}.${guess}`;
    }
    case 'missing-argument':
      return fr ? `Argument <${problem.name}> manquant.` : `Missing argument <${problem.name}>.`;
    case 'missing-option-value':
      return fr
        ? `L'option ${q(problem.flags)} attend une valeur.`
        : `Option ${q(problem.flags)} needs a value.`;
    case 'missing-option':
      return fr ? `L'option ${q(problem.flags)} est obligatoire.` : `Option ${q(problem.flags)} is required.`;
    case 'invalid-value': {
      const source = problem.variable
        ? fr
          ? ` (de ${problem.variable})`
          : ` (from ${problem.variable})`
        : '';
      const why = problem.choices
        ? fr
          ? ` : ${either(problem.choices, language)} attendu.`
          : `: expected ${either(problem.choices, language)}.`
        : problem.reason
          ? `${fr ? ' : ' : ': '}${problem.reason}`
          : '.';
      return fr
        ? `Valeur ${q(problem.value)} invalide pour ${q(problem.target)}${source}${why}`
        : `Invalid value ${q(problem.value)} for ${q(problem.target)}${source}${why}`;
    }
    case 'too-many-arguments': {
      const { expected, received } = problem;
      return fr
        ? `Trop d'arguments pour ${q(command.name())} : ${expected} attendu${frenchPlural(expected)}, ${received} donné${frenchPlural(received)}.`
        : `Too many arguments for ${q(command.name())}: ${expected} expected, ${received} given.`;
    }
    case 'conflicting-options':
      return fr
        ? `${q(problem.first)} ne peut pas être utilisée avec ${q(problem.second)}.`
        : `${q(problem.first)} cannot be used with ${q(problem.second)}.`;
    case 'other':
      return problem.message.charAt(0).toUpperCase() + problem.message.slice(1);
  }
}

/** Where to read the help of the command that refused the line. */
export function helpHint(command: Command, language: Language): string {
  const help = `${commandPath(command)} --help`;
  return language === 'fr' ? `Voir ${quotes.fr(help)}.` : `See '${help}'.`;
}

/** The two lines a usage error prints: the program's name and what was wrong, then the help hint. */
export function usageProblemText(problem: UsageProblem, command: Command, language: Language): string {
  let program = command;
  while (program.parent) program = program.parent;
  const what = describeUsageProblem(problem, command, language);
  return `${program.name()}: ${what}\n${helpHint(command, language)}\n`;
}

/** `usageProblemText` of commander's error. */
export function usageErrorText(error: CommanderError, command: Command, language: Language): string {
  return usageProblemText(readUsageProblem(error), command, language);
}
