import { Writable } from 'node:stream';
import { checkFrenchTexts, commandPath } from '@xmcomm/cli-kit';
import type { Command } from 'commander';
import { expect, test } from 'vitest';
import type { Io } from './context.js';
import { helpFr } from './help-fr.js';
import { buildProgram, runCli } from './program.js';

function io(env: NodeJS.ProcessEnv): Io & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _encoding, done) {
        into.push(String(chunk));
        done();
      },
    });
  return {
    env,
    cwd: process.cwd(),
    stdout: sink(out),
    stderr: sink(err),
    out: () => out.join(''),
    err: () => err.join(''),
  };
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
    const run = io(env);
    expect(await runCli([...flag, ...path, '--help'], run)).toBe(0);
    const help = run.out();
    expect(help).toMatch(/^Utilisation : xmserver/);
    expect(help, path.join(' ')).not.toMatch(/^(Usage|Options|Commands|Arguments|Global Options):/m);
    expect(help, path.join(' ')).not.toMatch(/display help|output the version|\((default|choices):/);
    expect(help).toContain(helpFr[['xmserver', ...path].join(' ')]?.description?.slice(0, 20));
  }
});

test('the help stays English otherwise', async () => {
  const run = io({ LANG: 'C' });
  expect(await runCli(['client', '--help'], run)).toBe(0);
  expect(run.out()).toMatch(/^Usage: xmserver client \[options\] \[command\]/);
  expect(run.out()).toContain('client sites: registration, status, certificates, accounts');
  expect(run.out()).toContain('display help for command');
});
