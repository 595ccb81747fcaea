import { Command, CommanderError, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Language } from './language.js';
import { localizeProgram } from './localize.js';
import type { FrenchTexts } from './texts.js';

/** A small program with every kind of thing a help shows: built like the platform's CLIs. */
function build(write: { out: string[]; err: string[] }): Command {
  const program = new Command('demo')
    .description('a demonstration program')
    .version('1.2.3')
    .option('--json', 'print JSON')
    .addOption(new Option('--lang <lang>', 'language of messages').choices(['en', 'fr']))
    .configureOutput({ writeOut: (text) => write.out.push(text), writeErr: (text) => write.err.push(text) })
    .showHelpAfterError();
  const client = program.command('client').description('the clients');
  client
    .command('add')
    .description('register a client')
    .argument('<matricule>', 'the client matricule')
    .requiredOption('--name <name>', 'its name')
    .option('--wait <seconds>', 'how long to wait', '60')
    .option('--quiet', 'say nothing')
    .addOption(new Option('--colour <colour>', 'a colour').conflicts('quiet'))
    .action(() => undefined);
  client
    .command('list')
    .description('list the clients')
    .addOption(new Option('--status <n>', 'only this status').choices(['0', '1', '2', '3']))
    .action(() => undefined);
  return program;
}

const french: FrenchTexts = {
  demo: {
    description: 'un programme de démonstration',
    options: { '--json': 'afficher du JSON', '--lang': 'langue des messages' },
  },
  'demo client': { description: 'les clients' },
  'demo client add': {
    description: 'enregistrer un client',
    arguments: { matricule: 'le matricule du client' },
    options: {
      '--name': 'son nom',
      '--wait': 'combien de temps attendre',
      '--quiet': 'ne rien dire',
      '--colour': 'une couleur',
    },
  },
  'demo client list': {
    description: 'lister les clients',
    options: { '--status': 'seulement ce statut' },
  },
};

interface Outcome {
  readonly out: string;
  readonly err: string;
  readonly error: CommanderError | undefined;
}

async function run(argv: string[], language: Language, localize = true): Promise<Outcome> {
  const write = { out: [] as string[], err: [] as string[] };
  const program = build(write);
  if (localize) localizeProgram(program, { language, french });
  else
    for (const command of [program, ...program.commands.flatMap((c) => [c, ...c.commands])])
      command.exitOverride();
  let error: CommanderError | undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (caught) {
    if (!(caught instanceof CommanderError)) throw caught;
    error = caught;
  }
  return { out: write.out.join(''), err: write.err.join(''), error };
}

const englishTitles = /^(Usage|Arguments|Options|Global Options|Commands):/m;

describe('help', () => {
  it('stays as commander prints it in English', async () => {
    for (const argv of [['--help'], ['client', '--help'], ['client', 'add', '--help']]) {
      const localized = await run(argv, 'en');
      const plain = await run(argv, 'en', false);
      expect(localized.out).toBe(plain.out);
      expect(localized.error?.code).toBe('commander.helpDisplayed');
    }
  });

  it('is French under French: texts, titles, built-in options and commands, notes', async () => {
    const top = await run(['--help'], 'fr');
    expect(top.out).toBe(
      [
        'Utilisation : demo [options] [commande]',
        '',
        'un programme de démonstration',
        '',
        'Options :',
        '  -V, --version    afficher le numéro de version',
        '  --json           afficher du JSON',
        '  --lang <lang>    langue des messages (choix : "en", "fr")',
        "  -h, --help       afficher l'aide de la commande",
        '',
        'Commandes :',
        '  client           les clients',
        "  help [commande]  afficher l'aide de la commande",
        '',
      ].join('\n'),
    );
    expect(top.error?.exitCode).toBe(0);

    const add = await run(['client', 'add', '--help'], 'fr');
    expect(add.out).toContain('Utilisation : demo client add [options] <matricule>');
    expect(add.out).toContain('Arguments :\n  matricule ');
    expect(add.out).toMatch(/matricule\s+le matricule du client\n/);
    expect(add.out).toMatch(/--wait <seconds>\s+combien de temps attendre \(par défaut : "60"\)\n/);
    expect(add.out).not.toMatch(englishTitles);
    expect(add.out).not.toMatch(/default:|choices:|display help|output the version/);
  });

  it('is French through the help command and for a group run without its sub-command', async () => {
    const viaCommand = await run(['help', 'client'], 'fr');
    expect(viaCommand.out).toContain('Commandes :\n  add [options] <matricule>  enregistrer un client');
    // A group alone prints its help on stderr, as commander does, and is not a usage error line.
    const bare = await run(['client'], 'fr');
    expect(bare.error?.code).toBe('commander.help');
    expect(bare.err).toContain('Utilisation : demo client [options] [commande]');
    expect(bare.err).not.toContain('Voir');
  });

  it('falls back to the English text of what the table lacks', async () => {
    const write = { out: [] as string[], err: [] as string[] };
    const program = localizeProgram(build(write), { language: 'fr', french: {} });
    expect(program.commands[0]?.helpInformation()).toContain('add [options] <matricule>  register a client');
  });
});

describe('usage errors: two lines, never the whole help', () => {
  const cases: [string[], string, string, string][] = [
    [
      ['clien'],
      'commander.unknownCommand',
      `demo: Unknown command "clien". Did you mean "client"?\nSee 'demo --help'.\n`,
      'demo: Commande inconnue « clien ». Vouliez-vous dire « client » ?\nVoir « demo --help ».\n',
    ],
    [
      ['client', 'lst'],
      'commander.unknownCommand',
      `demo: Unknown command "lst". Did you mean "list"?\nSee 'demo client --help'.\n`,
      'demo: Commande inconnue « lst ». Vouliez-vous dire « list » ?\nVoir « demo client --help ».\n',
    ],
    [
      ['frobnicate'],
      'commander.unknownCommand',
      `demo: Unknown command "frobnicate".\nSee 'demo --help'.\n`,
      'demo: Commande inconnue « frobnicate ».\nVoir « demo --help ».\n',
    ],
    [
      ['client', 'add', 'M1', '--name', 'x', '--wiat', '5'],
      'commander.unknownOption',
      `demo: Unknown option "--wiat". Did you mean "--wait"?\nSee 'demo client add --help'.\n`,
      'demo: Option inconnue « --wiat ». Vouliez-vous dire « --wait » ?\nVoir « demo client add --help ».\n',
    ],
    [
      ['client', 'add', '--name', 'x'],
      'commander.missingArgument',
      `demo: Missing argument <matricule>.\nSee 'demo client add --help'.\n`,
      'demo: Argument <matricule> manquant.\nVoir « demo client add --help ».\n',
    ],
    [
      ['client', 'add', 'M1', '--name'],
      'commander.optionMissingArgument',
      `demo: Option "--name <name>" needs a value.\nSee 'demo client add --help'.\n`,
      "demo: L'option « --name <name> » attend une valeur.\nVoir « demo client add --help ».\n",
    ],
    [
      ['client', 'add', 'M1'],
      'commander.missingMandatoryOptionValue',
      `demo: Option "--name <name>" is required.\nSee 'demo client add --help'.\n`,
      "demo: L'option « --name <name> » est obligatoire.\nVoir « demo client add --help ».\n",
    ],
    [
      ['client', 'list', '--status', '7'],
      'commander.invalidArgument',
      `demo: Invalid value "7" for "--status <n>": expected "0", "1", "2" or "3".\nSee 'demo client list --help'.\n`,
      'demo: Valeur « 7 » invalide pour « --status <n> » : « 0 », « 1 », « 2 » ou « 3 » attendu.\nVoir « demo client list --help ».\n',
    ],
    [
      ['--lang', 'de', 'client', 'list'],
      'commander.invalidArgument',
      `demo: Invalid value "de" for "--lang <lang>": expected "en" or "fr".\nSee 'demo --help'.\n`,
      'demo: Valeur « de » invalide pour « --lang <lang> » : « en » ou « fr » attendu.\nVoir « demo --help ».\n',
    ],
    [
      ['client', 'list', 'extra', 'more'],
      'commander.excessArguments',
      `demo: Too many arguments for "list": 0 expected, 2 given.\nSee 'demo client list --help'.\n`,
      "demo: Trop d'arguments pour « list » : 0 attendu, 2 donnés.\nVoir « demo client list --help ».\n",
    ],
    [
      ['client', 'add', 'M1', '--name', 'x', '--quiet', '--colour', 'red'],
      'commander.conflictingOption',
      `demo: "--colour <colour>" cannot be used with "--quiet".\nSee 'demo client add --help'.\n`,
      'demo: « --colour <colour> » ne peut pas être utilisée avec « --quiet ».\nVoir « demo client add --help ».\n',
    ],
  ];

  for (const [argv, code, english, frenchText] of cases) {
    it(`${argv.join(' ')}: ${code}`, async () => {
      for (const [language, expected] of [
        ['en', english],
        ['fr', frenchText],
      ] as const) {
        const outcome = await run(argv, language);
        expect(outcome.error?.code).toBe(code);
        expect(outcome.error?.exitCode).toBe(1);
        expect(outcome.err).toBe(expected);
        expect(outcome.out).toBe('');
      }
    });
  }

  it('help for a command that does not exist: the same two lines, not the help of the group', async () => {
    for (const [argv, language, expected] of [
      [
        ['help', 'clien'],
        'en',
        `demo: Unknown command "clien". Did you mean "client"?\nSee 'demo --help'.\n`,
      ],
      [
        ['client', 'help', 'lst'],
        'fr',
        'demo: Commande inconnue « lst ». Vouliez-vous dire « list » ?\nVoir « demo client --help ».\n',
      ],
      [['help', 'zzz'], 'en', `demo: Unknown command "zzz".\nSee 'demo --help'.\n`],
    ] as const) {
      const outcome = await run([...argv], language);
      // Commander's code for a help shown as an error: the caller's usage exit code.
      expect(outcome.error?.code).toBe('commander.help');
      expect(outcome.error?.exitCode).toBe(1);
      expect(outcome.err).toBe(expected);
      expect(outcome.out).toBe('');
    }
    const known = await run(['help', 'client'], 'en');
    expect(known.error?.exitCode).toBe(0);
    expect(known.out).toContain('Usage: demo client [options] [command]');
  });

  it('names every suggestion commander has', async () => {
    for (const [language, expected] of [
      ['en', `two: Unknown command "helo". Did you mean "hello" or "help"?\nSee 'two --help'.\n`],
      [
        'fr',
        'two: Commande inconnue « helo ». Vouliez-vous dire « hello » ou « help » ?\nVoir « two --help ».\n',
      ],
    ] as const) {
      const err: string[] = [];
      const program = new Command('two').configureOutput({ writeErr: (text) => err.push(text) });
      program.command('hello').description('say hello');
      localizeProgram(program, { language, french: {} });
      await expect(program.parseAsync(['helo'], { from: 'user' })).rejects.toThrow(CommanderError);
      expect(err.join('')).toBe(expected);
    }
  });

  it('shows the help and the version when asked, as successes', async () => {
    const version = await run(['--version'], 'fr');
    expect(version.out).toBe('1.2.3\n');
    expect(version.error?.exitCode).toBe(0);
    expect(version.err).toBe('');
  });
});
