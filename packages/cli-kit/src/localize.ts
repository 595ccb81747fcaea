import { type Argument, type Command, type CommanderError, Help, type Option } from 'commander';
import { frenchBuiltins, frenchDetails, frenchTitles } from './commander-words.js';
import type { Language } from './language.js';
import { suggestSimilar } from './suggest.js';
import { commandPath, commandTree, type FrenchTexts, optionKey } from './texts.js';
import { usageErrorText, usageProblemText } from './usage-error.js';

export interface LocalizeOptions {
  /** The user's language, known before parsing (see `languageFlag`). */
  readonly language: Language;
  /** The program's French help texts, by command path. */
  readonly french: FrenchTexts;
}

/** Exit callbacks that are not failures: help and version were asked for. */
const notFailures = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/**
 * Puts a built commander program in the user's language, once every command is registered and
 * before it parses. In French, the help of every command shows the French texts (English where one
 * is missing) and commander's own words in French. In both languages, a usage error (unknown
 * command or option, `help` for an unknown command, missing argument or option, invalid choice, too
 * many arguments) prints two lines, what was wrong and where the help is, instead of commander's
 * message and the whole help.
 * Every command then throws its `CommanderError` instead of exiting: the caller catches it and
 * returns its usage exit code (`exitCode` 0 for `--help` and `--version`).
 */
export function localizeProgram(program: Command, options: LocalizeOptions): Command {
  const { language } = options;
  const french = language === 'fr' ? frenchTextsOf(program, options.french) : undefined;
  for (const command of commandTree(program)) {
    command.showHelpAfterError(false);
    // Commander's English message is replaced by the one the exit callback writes.
    command.configureOutput({ outputError: () => undefined });
    command.exitOverride((error: CommanderError) => {
      // `commander.help`: a group run without its sub-command (commander printed its help), or
      // `help <unknown>` (unknownHelpTarget printed the two lines).
      if (error.exitCode !== 0 && !notFailures.has(error.code)) {
        const write = command.configureOutput().writeErr ?? ((text: string) => process.stderr.write(text));
        write(usageErrorText(error, command, language));
      }
      throw error;
    });
    command.configureHelp({
      ...command.configureHelp(),
      ...(french ? frenchHelp(french) : {}),
      ...unknownHelpTarget(language),
    });
  }
  return program;
}

/**
 * `help <name>` for a command that does not exist: commander prints the whole help of the group on
 * stderr (`commander.help`, exit code 1). The help it formats for that is the usage error instead.
 */
function unknownHelpTarget(language: Language): Partial<Help> {
  // Commander calls prepareContext, then formatHelp, on the same fresh Help: no other call between.
  let forError = false;
  return {
    prepareContext(this: Help, context: { error?: boolean; helpWidth?: number; outputHasColors?: boolean }) {
      forError = context.error === true;
      Help.prototype.prepareContext.call(this, context);
    },
    formatHelp(this: Help, command: Command, helper: Help): string {
      const [first, name] = command.args;
      const helpCommand = helper.visibleCommands(command).find((sub) => !command.commands.includes(sub));
      const known = (sub: Command) => sub.name() === name || sub.aliases().includes(name ?? '');
      if (forError && helpCommand && first === helpCommand.name() && name && !command.commands.some(known)) {
        const candidates = helper.visibleCommands(command).flatMap((sub) => [sub.name(), ...sub.aliases()]);
        const problem = {
          kind: 'unknown-command',
          name,
          suggestions: suggestSimilar(name, candidates),
        } as const;
        return usageProblemText(problem, command, language);
      }
      return Help.prototype.formatHelp.call(this, command, helper);
    },
  };
}

/** Each command, option and argument of the tree that has a French text, with that text. */
function frenchTextsOf(program: Command, table: FrenchTexts): Map<Command | Option | Argument, string> {
  const texts = new Map<Command | Option | Argument, string>();
  for (const command of commandTree(program)) {
    const entry = table[commandPath(command)];
    if (!entry) continue;
    if (entry.description) texts.set(command, entry.description);
    for (const option of command.options) {
      const text = entry.options?.[optionKey(option)];
      if (text) texts.set(option, text);
    }
    for (const argument of command.registeredArguments) {
      const text = entry.arguments?.[argument.name()];
      if (text) texts.set(argument, text);
    }
  }
  return texts;
}

const commandPlaceholder = /(^| )\[command\](?= |$)/;

/** The overrides of commander's `Help` that print French. */
function frenchHelp(texts: ReadonlyMap<Command | Option | Argument, string>): Partial<Help> {
  const words = frenchDetails;
  const separator = ' : ';
  const describe = (base: string, details: string[]) =>
    details.length === 0 ? base : `${base ? `${base} ` : ''}(${details.join(', ')})`;
  const shown = (value: unknown, description: string | undefined) => description || JSON.stringify(value);
  return {
    styleTitle: (title: string) => frenchTitles[title] ?? title,
    // `[command]`, the placeholder of a sub-command in usages and in `help [command]`.
    commandUsage(command: Command): string {
      return Help.prototype.commandUsage.call(this, command).replace(commandPlaceholder, '$1[commande]');
    },
    subcommandTerm(command: Command): string {
      return Help.prototype.subcommandTerm.call(this, command).replace(commandPlaceholder, '$1[commande]');
    },
    commandDescription: (command: Command) => texts.get(command) ?? command.description(),
    subcommandDescription: (command: Command) =>
      texts.get(command) ??
      frenchBuiltins[command.description()] ??
      (command.summary() || command.description()),
    // The same notes as commander's Help.optionDescription, in French.
    optionDescription(option: Option): string {
      const base = texts.get(option) ?? frenchBuiltins[option.description] ?? option.description;
      const details: string[] = [];
      if (option.argChoices) {
        details.push(
          `${words.choices}${separator}${option.argChoices.map((c) => JSON.stringify(c)).join(', ')}`,
        );
      }
      const showsDefault =
        option.required ||
        option.optional ||
        (option.isBoolean() && typeof option.defaultValue === 'boolean');
      if (option.defaultValue !== undefined && showsDefault) {
        details.push(
          `${words.default}${separator}${shown(option.defaultValue, option.defaultValueDescription)}`,
        );
      }
      if (option.presetArg !== undefined && option.optional) {
        details.push(`${words.preset}${separator}${JSON.stringify(option.presetArg)}`);
      }
      if (option.envVar !== undefined) details.push(`${words.env}${separator}${option.envVar}`);
      return describe(base, details);
    },
    argumentDescription(argument: Argument): string {
      const base = texts.get(argument) ?? argument.description;
      const details: string[] = [];
      if (argument.argChoices) {
        details.push(
          `${words.choices}${separator}${argument.argChoices.map((c) => JSON.stringify(c)).join(', ')}`,
        );
      }
      if (argument.defaultValue !== undefined) {
        details.push(
          `${words.default}${separator}${shown(argument.defaultValue, argument.defaultValueDescription)}`,
        );
      }
      return describe(base, details);
    },
  };
}
