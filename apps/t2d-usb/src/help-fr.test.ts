import { Writable } from 'node:stream';
import { checkFrenchTexts, commandPath } from '@xmcomm/cli-kit';
import type { Command } from 'commander';
import { expect, test } from 'vitest';
import { helpFr } from './help-fr.js';
import { buildProgram, type Io, run } from './program.js';

function io(env: NodeJS.ProcessEnv): Io & { out: () => string } {
  const out: string[] = [];
  const sink = (into?: string[]) =>
    new Writable({
      write(chunk, _encoding, done) {
        into?.push(String(chunk));
        done();
      },
    });
  return { env, stdout: sink(out), stderr: sink(), out: () => out.join('') };
}

const commands = (command: Command): Command[] => [command, ...command.commands.flatMap(commands)];
const everyPath = commands(buildProgram(io({}))).map((command) => commandPath(command).split(' ').slice(1));

test('every command, argument and option has its French text, and every French text its command', () => {
  // A new command fails here until its French is in help-fr.ts, keyed by its path and flags.
  expect(checkFrenchTexts(buildProgram(io({})), helpFr)).toEqual({ missing: [], unused: [] });
});

test.each([
  ['--lang fr', ['--lang', 'fr'], {}],
  ['XM_LANG=fr', [], { XM_LANG: 'fr' }],
  ['a French locale', [], { LANG: 'fr_FR.UTF-8' }],
])('the help of every command is French under %s', async (_how, flag, env) => {
  for (const path of everyPath) {
    const cli = io(env);
    expect(await run([...flag, ...path, '--help'], cli)).toBe(0);
    const help = cli.out();
    expect(help).toMatch(/^Utilisation : t2d/);
    expect(help, path.join(' ')).not.toMatch(/^(Usage|Options|Commands|Arguments|Global Options):/m);
    expect(help, path.join(' ')).not.toMatch(/display help|output the version|\((default|choices):/);
    expect(help).toContain(helpFr[['t2d', ...path].join(' ')]?.description?.slice(0, 20));
  }
});

test('the help stays English otherwise', async () => {
  const cli = io({ LANG: 'C' });
  expect(await run(['export', '--help'], cli)).toBe(0);
  expect(cli.out()).toMatch(/^Usage: t2d export \[options\]/);
  expect(cli.out()).toContain("the medium's mount point");
});
