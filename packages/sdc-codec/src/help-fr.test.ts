import { checkFrenchTexts, commandPath } from '@xmcomm/cli-kit';
import type { Command } from 'commander';
import { expect, test } from 'vitest';
import { buildProgram, runSdc, type SdcIo } from './cli-program.js';
import { helpFr } from './help-fr.js';

function io(env: SdcIo['env']) {
  const out: string[] = [];
  return {
    io: { env, stdout: (text: string) => out.push(text), stderr: () => undefined },
    out: () => out.join(''),
  };
}

const commands = (command: Command): Command[] => [command, ...command.commands.flatMap(commands)];
const everyPath = commands(buildProgram(io({}).io)).map((command) =>
  commandPath(command).split(' ').slice(1),
);

test('every command, argument and option has its French text, and every French text its command', () => {
  // A new command fails here until its French is in help-fr.ts, keyed by its path and flags.
  expect(checkFrenchTexts(buildProgram(io({}).io), helpFr)).toEqual({ missing: [], unused: [] });
});

test.each([
  ['--lang fr', ['--lang', 'fr'], {}],
  ['XM_LANG=fr', [], { XM_LANG: 'fr' }],
  ['a French locale', [], { LANG: 'fr_FR.UTF-8' }],
])('the help of every command is French under %s', async (_how, flag, env) => {
  for (const path of everyPath) {
    const run = io(env);
    expect(await runSdc([...flag, ...path, '--help'], run.io)).toBe(0);
    const help = run.out();
    expect(help).toMatch(/^Utilisation : sdc/);
    expect(help, path.join(' ')).not.toMatch(/^(Usage|Options|Commands|Arguments|Global Options):/m);
    expect(help, path.join(' ')).not.toMatch(/display help|output the version|\((default|choices):/);
    expect(help).toContain(helpFr[['sdc', ...path].join(' ')]?.description?.slice(0, 20));
  }
});

test('the help stays English otherwise', async () => {
  const run = io({ LANG: 'C' });
  expect(await runSdc(['encode', '--help'], run.io)).toBe(0);
  expect(run.out()).toMatch(/^Usage: sdc encode \[options\]/);
  expect(run.out().replace(/\s+/g, ' ')).toContain(
    'content encryption (choices: "gcm", "cbc", default: "gcm")',
  );
});
