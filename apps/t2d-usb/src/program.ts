import type { Writable } from 'node:stream';
import { languageFlag, localizeProgram } from '@xmcomm/cli-kit';
import { Command, CommanderError, Option } from 'commander';
import { T2dError } from './errors.js';
import {
  exitCodes,
  nothingToDoExitCode,
  partialExitCode,
  successExitCode,
  usageExitCode,
} from './exit-codes.js';
import { helpFr } from './help-fr.js';
import type { MediumIssue } from './medium/read-medium.js';
import { describeError, describeIssue, type Language, pickLanguage, summaryWords } from './messages.js';
import { openServer, openSite, type Settings } from './setup.js';
import type { ProgressListener, ProgressPhase } from './transfer/progress.js';
import { ingestMedium } from './transfer/server-ingest.js';
import { exportToMedium } from './transfer/site-export.js';
import { importFromMedium } from './transfer/site-import.js';

/** What a command needs from the process, so tests can run the CLI in-process. */
export interface Io {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
}

const phases: { readonly [P in ProgressPhase]: { en: string; fr: string } } = {
  sealing: { en: 'sealing', fr: 'scellement' },
  writing: { en: 'writing', fr: 'écriture' },
  checking: { en: 'checking', fr: 'vérification' },
  applying: { en: 'applying', fr: 'application' },
};

/** A bar on stderr, only on a terminal and never with --json: scripts read stdout, logs stay clean. */
function progressBar(io: Io, lang: Language, enabled: boolean): { listener: ProgressListener; end(): void } {
  if (!enabled || !io.stderr.isTTY) return { listener: () => undefined, end: () => undefined };
  let drawn = false;
  return {
    listener(phase, done, total) {
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      io.stderr.write(
        `\r${phases[phase][lang].padEnd(13)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`,
      );
      drawn = true;
    },
    end() {
      if (drawn) io.stderr.write('\n');
    },
  };
}

function issueLines(lang: Language, issues: readonly MediumIssue[]): string[] {
  return issues.map((issue) => describeIssue(issue, lang));
}

function siteOptions(command: Command): Command {
  return command
    .option('--database-url <url>', "the site's database (else XM_DATABASE_URL); no password in it")
    .option('--matricule <matricule>', "this site's matricule (else XM_MATRICULE)")
    .option('--server-name <name>', "the server's name (else XM_SERVER_NAME, default xmserver)")
    .option(
      '--key <file>',
      "this site's private key, PKCS#8 PEM (else XM_KEY_FILE); passphrase in XM_KEY_PASSPHRASE(_FILE)",
    )
    .option('--certificate <file>', "this site's certificate (else XM_CERTIFICATE_FILE)")
    .option('--server-certificate <file>', "the server's certificate (else XM_SERVER_CERTIFICATE_FILE)")
    .option('--ca <file>', 'the CA certificate that issued them (else XM_CA_FILE)');
}

/** What the commands of one run share: its exit code and, once parsed, its language and output. */
interface RunState {
  exitCode: number;
  lang: Language;
  json: boolean;
}

/** The whole `t2d` command tree, in English; `run` puts it in the user's language. */
export function buildProgram(
  io: Io,
  state: RunState = { exitCode: successExitCode, lang: pickLanguage(undefined, io.env), json: false },
): Command {
  const program = new Command('t2d')
    .description('Transfer To Device: the same containers as MQTT, on removable media, both ways.')
    .option('--json', 'print the summary as JSON on stdout')
    .addOption(
      new Option('--lang <lang>', 'language of messages (default $XM_LANG, then the locale)').choices([
        'en',
        'fr',
      ]),
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  program.hook('preAction', () => {
    const options = program.opts<{ json?: boolean; lang?: string }>();
    state.json = options.json === true;
    state.lang = pickLanguage(options.lang, io.env);
  });
  const out = (lines: string[], value: unknown, code: number) => {
    if (state.json) io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else io.stdout.write(`${lines.join('\n')}\n`);
    state.exitCode = code;
  };
  const doneOrPartial = (partial: boolean) => (partial ? partialExitCode : successExitCode);

  siteOptions(
    program
      .command('export')
      .description('site: write the outbox items waiting for the server onto the medium'),
  )
    .requiredOption('--to <dir>', "the medium's mount point")
    .option('--no-seal', 'do not seal validated rows first; carry only what is already in the outbox')
    .action(async (options: Settings & { to: string; seal: boolean }) => {
      const site = await openSite(options, io.env);
      const bar = progressBar(io, state.lang, !state.json);
      try {
        const summary = await exportToMedium({
          sync: site.sync,
          medium: options.to,
          matricule: site.matricule,
          serverMatricule: site.serverName,
          signer: site.signer,
          seal: options.seal,
          onProgress: bar.listener,
        });
        bar.end();
        const words = summaryWords(state.lang);
        const lines = summary.sealed > 0 ? [words.sealed(summary.sealed)] : [];
        lines.push(
          summary.items === 0
            ? words.nothingToExport
            : words.exported(summary.items, summary.rows, summary.written, summary.alreadyPresent),
        );
        // Nothing waiting: the stick carries nothing, and a script must not send it on a trip for nothing.
        out(
          lines,
          { command: 'export', ...summary },
          summary.items === 0 ? nothingToDoExitCode : successExitCode,
        );
      } finally {
        bar.end();
        await site.db.destroy();
      }
    });

  siteOptions(
    program
      .command('import')
      .description('site: apply the receipts and import responses the server wrote on the medium'),
  )
    .requiredOption('--from <dir>', "the medium's mount point")
    .action(async (options: Settings & { from: string }) => {
      const site = await openSite(options, io.env);
      const bar = progressBar(io, state.lang, !state.json);
      try {
        const summary = await importFromMedium({
          db: site.db,
          sync: site.sync,
          medium: options.from,
          matricule: site.matricule,
          serverMatricule: site.serverName,
          verifier: site.verifier,
          onProgress: bar.listener,
        });
        bar.end();
        const words = summaryWords(state.lang);
        const lines = [
          words.imported(
            summary.applied.receipt,
            summary.applied['import-response'],
            summary.duplicates,
            summary.rowsAccepted,
            summary.rowsRejected,
          ),
          words.waiting(summary.stillWaiting),
          ...(summary.rowsHeld > 0 ? [words.held(summary.rowsHeld)] : []),
          ...Object.entries(summary.refused).map(([reason, count]) => words.refused(reason, count)),
          ...issueLines(state.lang, summary.issues),
        ];
        out(
          lines,
          { command: 'import', ...summary },
          doneOrPartial(summary.issues.length > 0 || Object.keys(summary.refused).length > 0),
        );
      } finally {
        bar.end();
        await site.db.destroy();
      }
    });

  program
    .command('ingest')
    .description(
      'server: apply every container on the medium addressed to this server and write the replies back',
    )
    .requiredOption('--from <dir>', "the medium's mount point")
    .option('--database-url <url>', "the server's database (else XM_DATABASE_URL); no password in it")
    .option('--server-name <name>', "this server's name (else XM_SERVER_NAME, default xmserver)")
    .option(
      '--key <file>',
      "the server's private key, PKCS#8 PEM (else XM_KEY_FILE); passphrase in XM_KEY_PASSPHRASE(_FILE)",
    )
    .option('--certificate <file>', "the server's certificate (else XM_CERTIFICATE_FILE)")
    .action(async (options: Settings & { from: string }) => {
      const server = await openServer(options, io.env);
      const bar = progressBar(io, state.lang, !state.json);
      try {
        const summary = await ingestMedium({
          sync: server.sync,
          medium: options.from,
          serverMatricule: server.serverName,
          verifier: server.verifier,
          signer: server.signer,
          onProgress: bar.listener,
        });
        bar.end();
        const words = summaryWords(state.lang);
        const lines = [
          words.ingested(
            summary.applied,
            summary.duplicates,
            summary.replays,
            summary.rowsAccepted,
            summary.rowsRejected,
          ),
          ...summary.replyBatches.map((batch) => words.replies(batch.site, batch.replies)),
          ...Object.entries(summary.rejected).map(([reason, count]) => words.rejected(reason, count)),
          ...Object.entries(summary.refused).map(([reason, count]) => words.refused(reason, count)),
          ...issueLines(state.lang, summary.issues),
        ];
        out(
          lines,
          { command: 'ingest', ...summary },
          doneOrPartial(summary.issues.length > 0 || Object.keys(summary.refused).length > 0),
        );
      } finally {
        bar.end();
        await server.db.destroy();
      }
    });
  return program;
}

/** Runs one `t2d` command line and returns the exit code instead of exiting, for tests. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  // The language is read before parsing: commander prints the help and usage errors while it parses.
  const state: RunState = {
    exitCode: successExitCode,
    lang: pickLanguage(languageFlag(argv), io.env),
    json: false,
  };
  const program = localizeProgram(buildProgram(io, state), { language: state.lang, french: helpFr });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    // A usage error was printed as one line and the help hint.
    if (error instanceof CommanderError) return error.exitCode === 0 ? successExitCode : usageExitCode;
    const known = T2dError.isInstance(error)
      ? error
      : new T2dError('internal', String(error), {
          cause: error,
          params: { detail: error instanceof Error ? error.message : String(error) },
        });
    const message = describeError(known.code, known.params, state.lang);
    if (state.json) io.stdout.write(`${JSON.stringify({ error: { code: known.code, message } }, null, 2)}\n`);
    io.stderr.write(`t2d: ${message}\n`);
    return exitCodes[known.code];
  }
}
