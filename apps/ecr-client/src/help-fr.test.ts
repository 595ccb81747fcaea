import { checkFrenchTexts, commandPath } from '@xmcomm/cli-kit';
import type { Command } from 'commander';
import { expect, test } from 'vitest';
import { helpFr } from './help-fr.js';
import { buildProgram, type CliIo, runCli } from './program.js';

function io(env: CliIo['env']) {
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
  ['ECR_LANG=fr', [], { ECR_LANG: 'fr' }],
  ['a French locale', [], { LANG: 'fr_FR.UTF-8' }],
])('the help of every command is French under %s', async (_how, flag, env) => {
  for (const path of everyPath) {
    const run = io(env);
    expect(await runCli([...flag, ...path, '--help'], run.io)).toBe(0);
    const help = run.out();
    expect(help).toMatch(/^Utilisation : ecr/);
    expect(help, path.join(' ')).not.toMatch(/^(Usage|Options|Commands|Arguments|Global Options):/m);
    expect(help, path.join(' ')).not.toMatch(/display help|output the version|\((default|choices):/);
    expect(help).toContain(helpFr[['ecr', ...path].join(' ')]?.description?.slice(0, 20));
  }
});

test('the help stays English otherwise', async () => {
  const run = io({ LANG: 'C' });
  expect(await runCli(['act', '--help'], run.io)).toBe(0);
  expect(run.out()).toMatch(/^Usage: ecr act \[options\] \[command\]/);
  expect(run.out()).toContain('births, marriages and deaths');
});
