import type { Command } from 'commander';
import { checkFrenchTexts } from '../check.js';
import { commandPath, commandTree, type FrenchTexts } from '../texts.js';
import type { TestApi } from './test-api.js';

export interface FrenchHelpTestOptions {
  /** The program as the command builds it, in English. */
  readonly program: Command;
  /** Its French table (`src/help-fr.ts`). */
  readonly french: FrenchTexts;
  /** The variable that sets the command's language after `--lang` and before the locale: `XM_LANG`. */
  readonly languageVariable: string;
  /** Runs the command in this process with these arguments and only these variables. */
  readonly run: (
    argv: readonly string[],
    env: Record<string, string>,
  ) => Promise<{ readonly code: number; readonly stdout: string }>;
}

/**
 * The tests of a command's French help: every command, argument and option of the program has its
 * French text (and every French text its command), and the help of every command is French, with no
 * English left, under `--lang fr`, the language variable and a French locale. Call it from the
 * program's `help-fr.test.ts` with the runner's `it` and `expect`.
 */
export function testFrenchHelp({ it, expect }: TestApi, options: FrenchHelpTestOptions): void {
  const { program, french, languageVariable, run } = options;

  it('every command, argument and option has its French text, and every French text its command', async () => {
    // A new command fails here until its French is in help-fr.ts, keyed by its path and flags.
    expect(checkFrenchTexts(program, french)).toEqual({ missing: [], unused: [] });
  });

  const ways: [how: string, flag: string[], env: Record<string, string>][] = [
    ['--lang fr', ['--lang', 'fr'], {}],
    [`${languageVariable}=fr`, [], { [languageVariable]: 'fr' }],
    ['a French locale', [], { LANG: 'fr_FR.UTF-8' }],
  ];
  const usage = `Utilisation : ${program.name()} `;
  for (const [how, flag, env] of ways) {
    it(`the help of every command is French under ${how}`, async () => {
      for (const command of commandTree(program)) {
        const path = commandPath(command);
        const { code, stdout: help } = await run([...flag, ...path.split(' ').slice(1), '--help'], env);
        expect(code, path).toBe(0);
        expect(help.slice(0, usage.length), path).toBe(usage);
        expect(help, path).not.toMatch(/^(Usage|Options|Commands|Arguments|Global Options):/m);
        expect(help, path).not.toMatch(/display help|output the version|\((default|choices):/);
        // The start only: commander wraps a long description.
        expect(help, path).toContain(
          french[path]?.description?.slice(0, 20) ?? `(no French text for ${path})`,
        );
      }
    });
  }
}
