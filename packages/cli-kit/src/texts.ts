import type { Command, Option } from 'commander';

/** The French texts of one command: its description, and those of its arguments and options. */
export interface CommandTexts {
  readonly description?: string;
  /** By argument name, as in `<matricule>` -> `matricule`. */
  readonly arguments?: Readonly<Record<string, string>>;
  /** By flag: the long one (`--data-dir`, `--no-key`), else the short one. */
  readonly options?: Readonly<Record<string, string>>;
}

/**
 * The French help of a program, by command path: the names from the program down, as typed
 * (`'xmserver'`, `'xmserver client add'`). The English stays in the code that builds the commands.
 */
export type FrenchTexts = Readonly<Record<string, CommandTexts>>;

/** `xmserver client add`: the names of the command and its ancestors, as the user types them. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** The key of an option in a `CommandTexts.options` table. */
export function optionKey(option: Option): string {
  return option.long ?? option.short ?? option.flags;
}

/** The command and every command under it, parents first. */
export function commandTree(command: Command): Command[] {
  return [command, ...command.commands.flatMap(commandTree)];
}
