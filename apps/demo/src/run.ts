import { runCli as ecr } from '@xmcomm/ecr-client';
import { createLogger, type DemoResult, runDemo } from '@xmcomm/xmserver';
import { demoCentre, demoLogins, setUpCentre } from './centre.js';
import { DemoError } from './errors.js';

// `npm run demo`: xmserver's batch demo (embedded database, broker, simulated sites), then, with
// that server still running, one real centre served by `ecr serve` until Ctrl-C.

export type Language = 'en' | 'fr';

export interface DemoRunOptions {
  readonly sites: number;
  readonly acts: number;
  readonly timeoutMs: number;
  /** 0: any free port. */
  readonly port: number;
  readonly language: Language;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Stops the workstation UI, then the server (the bin aborts it on SIGINT and SIGTERM). */
  readonly signal: AbortSignal;
}

/** Seconds between two rounds of the centre's synchronisation: a validated act leaves within them. */
export const syncEverySeconds = 3;

const roles = {
  agent: { en: 'agent (drafts)', fr: 'agent (rédige)' },
  secretary: { en: 'secretary (verifies)', fr: 'secrétaire (vérifie)' },
  officer: { en: 'officer (validates)', fr: 'officier (valide)' },
} as const;

function summary(result: DemoResult, language: Language): string {
  const line = (s: DemoResult['sites'][number]) =>
    `  ${s.matricule}  ${s.drafted} / ${s.validated} / ${s.acknowledged} / ${s.centralised}`;
  const head =
    language === 'fr'
      ? '  site  rédigés / validés / acquittés / centralisés'
      : '  site  drafted / validated / acknowledged / centralised';
  const total =
    language === 'fr'
      ? `${result.validated} validés, ${result.centralised} centralisés en ${result.containers} conteneurs, ${result.seconds} s${result.complete ? '' : ' (INCOMPLET)'}`
      : `validated ${result.validated}, centralised ${result.centralised} in ${result.containers} containers, ${result.seconds} s${result.complete ? '' : ' (INCOMPLETE)'}`;
  return [head, ...result.sites.map(line), total].join('\n');
}

export async function runDemoWithUi(options: DemoRunOptions): Promise<void> {
  const { language } = options;
  const say = (en: string, fr: string) => options.stdout(`${language === 'fr' ? fr : en}\n`);
  let complete = true;
  await runDemo({
    sites: options.sites,
    acts: options.acts,
    timeoutMs: options.timeoutMs,
    log: createLogger('warn', { ...options.env }),
    progress: (line) => options.stdout(`- ${line}\n`),
    whileRunning: async (server, result) => {
      options.stdout(`${summary(result, language)}\n\n`);
      complete = result.complete;
      if (options.signal.aborted) return;
      say(
        `Setting up a real centre, ${demoCentre.matricule}, against this server…`,
        `Mise en place d'un vrai centre, ${demoCentre.matricule}, relié à ce serveur…`,
      );
      const centre = await setUpCentre(server);
      try {
        say(
          'Demo logins (login / password):',
          'Identifiants de démonstration (identifiant / mot de passe) :',
        );
        for (const user of demoLogins)
          options.stdout(`  ${user.login} / ${user.password}   ${roles[user.role][language]}\n`);
        say(
          'The agent drafts a birth, the secretary verifies it, the officer validates it; the act reaches the central server by itself (status 4).',
          "L'agent rédige une naissance, le secrétaire la vérifie, l'officier la valide ; l'acte part seul au serveur central (statut 4).",
        );
        const code = await ecr(
          ['serve', '--port', String(options.port), '--sync-every', String(syncEverySeconds)],
          {
            env: { ...centre.env, ECR_LANG: language },
            stdout: options.stdout,
            stderr: options.stderr,
            signal: options.signal,
          },
        );
        if (code !== 0) throw new DemoError('centre-setup', `ecr serve exited ${code}`);
      } finally {
        await centre.remove();
      }
    },
  });
  if (!complete) throw new DemoError('incomplete', 'demo incomplete');
}
