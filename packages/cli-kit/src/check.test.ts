import { Command } from 'commander';
import { expect, it } from 'vitest';
import { checkFrenchTexts } from './check.js';

function program(): Command {
  const root = new Command('demo')
    .description('a demonstration')
    .version('1.0.0')
    .option('--json', 'print JSON');
  const client = root.command('client').description('the clients');
  client
    .command('add <matricule>')
    .description('register a client')
    .argument('[name]', 'its name')
    .option('--wait <seconds>', 'how long to wait');
  client.command('list').option('--all');
  root.command('secret', { hidden: true }).description('not in the help');
  return root;
}

it('lists what the help would show in English only, and French texts of nothing', () => {
  const check = checkFrenchTexts(program(), {
    demo: { description: 'une démonstration', options: { '--json': 'afficher du JSON', '--jsn': 'typo' } },
    'demo client': { description: 'les clients' },
    'demo client add': {
      description: 'enregistrer un client',
      arguments: { matricule: 'sans texte anglais' },
    },
    'demo clients': { description: 'renamed since' },
  });
  expect(check.missing).toEqual([
    'demo client add: option --wait',
    'demo client add: argument <name>',
    'demo client list: description (none in English either)',
    'demo client list: option --all (no description in English either)',
  ]);
  expect(check.unused).toEqual([
    'demo: option --jsn',
    'demo client add: argument <matricule> (shown only when it has an English description)',
    'demo clients: no such command',
  ]);
});

it('is satisfied by a complete table; commander options and the help command need none', () => {
  const root = new Command('tiny').description('tiny').version('1.0.0');
  root.command('go').description('go').argument('<where>', 'where to go');
  expect(
    checkFrenchTexts(root, {
      tiny: { description: 'minuscule' },
      'tiny go': { description: 'aller', arguments: { where: 'où aller' } },
    }),
  ).toEqual({ missing: [], unused: [] });
});
