import { Command, CommanderError, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { languageFlag, pickLanguage } from '../language.js';
import { localizeProgram } from '../localize.js';
import type { FrenchTexts } from '../texts.js';
import { capture } from './capture.js';
import { testFrenchHelp } from './french-help.js';
import type { TestApi } from './test-api.js';

function buildProgram(write: (text: string) => void = () => undefined): Command {
  const program = new Command('greet')
    .description('greet people')
    .addOption(new Option('--lang <lang>', 'language').choices(['en', 'fr']))
    .configureOutput({ writeOut: write, writeErr: () => undefined });
  program
    .command('hello')
    .description('say hello')
    .argument('<name>', 'who to greet')
    .option('--times <n>', 'how many times', '1')
    .action(() => undefined);
  return program;
}

const helpFr: FrenchTexts = {
  greet: { description: 'saluer des gens', options: { '--lang': 'langue' } },
  'greet hello': {
    description: 'dire bonjour',
    arguments: { name: 'qui saluer' },
    options: { '--times': 'combien de fois' },
  },
};

/** Runs `greet` as the platform's commands do, with the language from `variable`. */
function greet(french: FrenchTexts, variable = 'GREET_LANG') {
  return (argv: readonly string[], env: Record<string, string>) =>
    capture(async (stdout) => {
      const language = pickLanguage({ flag: languageFlag(argv), variable, env });
      const program = localizeProgram(buildProgram(stdout.write), { language, french });
      try {
        await program.parseAsync([...argv], { from: 'user' });
        return 0;
      } catch (error) {
        if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 64;
        throw error;
      }
    });
}

/** The suite's tests, collected instead of registered. */
function suite(french: FrenchTexts, run = greet(french)): Map<string, () => Promise<void>> {
  const tests = new Map<string, () => Promise<void>>();
  const api: TestApi = { it: (name, body) => tests.set(name, body), expect };
  testFrenchHelp(api, { program: buildProgram(), french, languageVariable: 'GREET_LANG', run });
  return tests;
}

const complete = 'every command, argument and option has its French text, and every French text its command';
const underFlag = 'the help of every command is French under --lang fr';
const underVariable = 'the help of every command is French under GREET_LANG=fr';
const underLocale = 'the help of every command is French under a French locale';

describe('testFrenchHelp', () => {
  it('passes for a program with all its French', async () => {
    const tests = suite(helpFr);
    expect([...tests.keys()]).toEqual([complete, underFlag, underVariable, underLocale]);
    for (const test of tests.values()) await test();
  });

  it('fails for a command without its French, and for French of no command', async () => {
    const { 'greet hello': _hello, ...withoutHello } = helpFr;
    await expect(suite(withoutHello).get(complete)?.()).rejects.toThrow();
    const extra = { ...helpFr, 'greet bye': { description: 'dire au revoir' } };
    await expect(suite(extra).get(complete)?.()).rejects.toThrow();
  });

  it('fails for a help left in English', async () => {
    const english = suite(helpFr, greet({}));
    for (const name of [underFlag, underVariable, underLocale]) {
      await expect(english.get(name)?.()).rejects.toThrow();
    }
    const withoutVariable = suite(helpFr, greet(helpFr, 'OTHER_LANG'));
    await expect(withoutVariable.get(underVariable)?.()).rejects.toThrow();
    await withoutVariable.get(underFlag)?.();
  });
});
