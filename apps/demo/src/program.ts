import { parseArgs } from 'node:util';
import { runCli as xmserver } from '@xmcomm/xmserver';
import { DemoError, exitCodeOf } from './errors.js';
import { type Language, runDemoWithUi } from './run.js';

export interface DemoIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly signal: AbortSignal;
}

const help = {
  en: `Usage: npm run demo -- [options]

Runs xmserver's demo (embedded database, broker and simulated sites that centralise their acts),
then keeps the server running and serves one real centre's workstation UI until Ctrl-C.

Options:
  --port <port>        the workstation UI's port on 127.0.0.1 (default: any free port)
  --sites <n>          simulated sites, 1-10 (3)
  --acts <m>           acts per simulated site (20)
  --timeout <seconds>  how long to wait for the simulated sites' receipts (50)
  --lang <en|fr>       the language of what it prints
  --no-ui              the batch demo only: print its summary and exit
  --json               the batch demo only, its summary as JSON (for scripts)
  -h, --help           this help
`,
  fr: `Utilisation : npm run demo -- [options]

Lance la démonstration de xmserver (base, broker et sites simulés intégrés qui centralisent leurs
actes), puis garde le serveur en marche et sert l'interface des postes d'un vrai centre jusqu'à Ctrl+C.

Options :
  --port <port>        le port de l'interface des postes sur 127.0.0.1 (par défaut : un port libre)
  --sites <n>          sites simulés, 1-10 (3)
  --acts <m>           actes par site simulé (20)
  --timeout <secondes> combien de temps attendre les accusés des sites simulés (50)
  --lang <en|fr>       la langue de ce qu'elle affiche
  --no-ui              la démonstration par lots seule : affiche son résumé et s'arrête
  --json               la démonstration par lots seule, son résumé en JSON (pour les scripts)
  -h, --help           cette aide
`,
} as const;

function languageOf(flag: string | undefined, env: DemoIo['env']): Language {
  const candidate = flag ?? env.XM_LANG;
  if (candidate === 'en' || candidate === 'fr') return candidate;
  const locale = env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d{1,6}$/.test(value) || n < min || n > max)
    throw new DemoError('usage', `${name} ${value}: expected a whole number from ${min} to ${max}.`);
  return n;
}

const usageFr = (message: string) =>
  message.replace(/: expected a whole number from (\d+) to (\d+)\./, ' : nombre entier de $1 à $2 attendu.');

/** `npm run demo`; returns the exit code. */
export async function runDemoCli(argv: readonly string[], io: DemoIo): Promise<number> {
  const langAt = argv.indexOf('--lang');
  const language = languageOf(langAt >= 0 ? argv[langAt + 1] : undefined, io.env);
  // The batch demo alone is xmserver's own command, output and exit codes unchanged.
  if (argv.includes('--json') || argv.includes('--no-ui')) {
    return xmserver(['demo', ...argv.filter((arg) => arg !== '--no-ui')], {
      env: { ...io.env },
      cwd: process.cwd(),
      stdout: process.stdout,
      stderr: process.stderr,
    });
  }
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        sites: { type: 'string' },
        acts: { type: 'string' },
        timeout: { type: 'string' },
        lang: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.stdout(help[language]);
      return 0;
    }
    await runDemoWithUi({
      port: integer('--port', values.port, 0, 0, 65_535),
      sites: integer('--sites', values.sites, 3, 1, 10),
      acts: integer('--acts', values.acts, 20, 1, 5000),
      timeoutMs: integer('--timeout', values.timeout, 50, 5, 3600) * 1000,
      language,
      env: io.env,
      stdout: io.stdout,
      stderr: io.stderr,
      signal: io.signal,
    });
    return 0;
  } catch (error) {
    const usage =
      error instanceof DemoError
        ? error.code === 'usage'
        : (error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS') === true;
    const message = error instanceof Error ? error.message : String(error);
    if (usage) {
      io.stderr(
        `${language === 'fr' ? `démo : ${usageFr(message)}` : `demo: ${message}`}\n${language === 'fr' ? 'Voyez npm run demo -- --help.' : 'See npm run demo -- --help.'}\n`,
      );
      return 2;
    }
    const detail = error instanceof DemoError && error.detail ? `\n${error.detail.trim()}` : '';
    io.stderr(`${language === 'fr' ? 'démo : échec : ' : 'demo: failed: '}${message}${detail}\n`);
    return error instanceof DemoError ? exitCodeOf(error.code) : 1;
  }
}
