import { type Command, Help } from 'commander';
import { frenchBuiltins } from './commander-words.js';
import { commandPath, type FrenchTexts, optionKey } from './texts.js';

export interface FrenchTextsCheck {
  /** What the help shows without a French text (or without any text), e.g. `xmserver client add: option --name`. */
  readonly missing: readonly string[];
  /** French texts of nothing the help shows: a command, option or argument renamed or removed. */
  readonly unused: readonly string[];
}

/**
 * Compares a program's commands with its French table: every visible command needs a description in
 * both languages, and every option and argument that has an English description needs a French one.
 * A test that expects both lists empty fails as soon as a command is added without its French.
 */
export function checkFrenchTexts(program: Command, french: FrenchTexts): FrenchTextsCheck {
  const help = new Help();
  const missing: string[] = [];
  const unused: string[] = [];
  const seen = new Set<string>();
  const visit = (command: Command) => {
    const path = commandPath(command);
    seen.add(path);
    const entry = french[path];
    if (!command.description()) missing.push(`${path}: description (none in English either)`);
    else if (!entry?.description) missing.push(`${path}: description`);

    // `-V, --version` is commander's: the kit has its French.
    const options = command.options.filter(
      (option) => !option.hidden && frenchBuiltins[option.description] === undefined,
    );
    for (const option of options) {
      const key = optionKey(option);
      if (!option.description) missing.push(`${path}: option ${key} (no description in English either)`);
      else if (!entry?.options?.[key]) missing.push(`${path}: option ${key}`);
    }
    for (const key of Object.keys(entry?.options ?? {})) {
      if (!options.some((option) => optionKey(option) === key)) unused.push(`${path}: option ${key}`);
    }

    const described = command.registeredArguments.filter((argument) => argument.description);
    for (const argument of described) {
      if (!entry?.arguments?.[argument.name()]) missing.push(`${path}: argument <${argument.name()}>`);
    }
    for (const name of Object.keys(entry?.arguments ?? {})) {
      if (!described.some((argument) => argument.name() === name)) {
        unused.push(`${path}: argument <${name}> (shown only when it has an English description)`);
      }
    }

    for (const sub of help.visibleCommands(command)) {
      // The implicit `help` command is commander's; its description is translated by the kit.
      if (command.commands.includes(sub)) visit(sub);
    }
  };
  visit(program);
  for (const path of Object.keys(french)) if (!seen.has(path)) unused.push(`${path}: no such command`);
  return { missing, unused };
}
