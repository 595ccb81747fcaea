import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import {
  fileError,
  loadDocumentSigner,
  type SiteConnector,
  type SiteSession,
  type SiteWords,
  secondsOption,
} from '@xmcomm/site-kit/cli';
import { type Command, Option } from 'commander';
import { askBulletin, type BulletinAsk, recordBulletin, registerOver } from './bulletin-flow.js';
import { printBulletin } from './bulletin-print.js';
import type { Bulletin, Extract } from './bulletins.js';

// `xmjuris bulletin 1|2|3`: a person's bulletin from the national register, by identity, for a
// purpose the register logs; printed here only when it names one person.

interface Deps {
  readonly language: () => 'en' | 'fr';
  readonly print: (human: string, json: unknown) => void;
  readonly asUser: <T>(body: (session: SiteSession) => Promise<T>) => Promise<T>;
  readonly connector: SiteConnector;
  readonly today: () => string;
  readonly words: SiteWords;
  readonly dataDir: () => string;
  /** The document key's passphrase: XMJURIS_DOCUMENT_KEY_PASSPHRASE or a prompt. */
  readonly documentPassphrase: () => Promise<string>;
  readonly now: () => Date;
}

/** The extract as lines: what the bulletin shows, nothing of what it leaves out. */
export function bulletinLines(extract: Extract, language: 'en' | 'fr'): string[] {
  const fr = language === 'fr';
  const head = `${fr ? 'Bulletin n°' : 'Bulletin No'} ${extract.bulletin.slice(1)} — ${extract.today}`;
  if (extract.entries.length === 0) return [head, fr ? 'NÉANT' : 'NIL'];
  return [
    head,
    ...extract.entries.flatMap(({ entry, annotations }) => [
      `${entry.decision_date} ${entry.court_name} (${entry.reference}, ${entry.niu}): ${entry.legal_qualification}; ${entry.main_penalty}${entry.prison_months ? ` ${entry.prison_months} ${fr ? 'mois' : 'months'}` : ''}${entry.suspension !== 'none' ? ` (${entry.suspension})` : ''}`,
      ...annotations.map((note) => `  ${note.kind} ${note.effective_date} — ${note.authority}`),
    ]),
  ];
}

export function registerBulletinCommand(program: Command, deps: Deps): void {
  program
    .command('bulletin')
    .description(
      "ask the national register for a person's bulletin (No 1 for the clerk only) by identity, and print it",
    )
    .addOption(
      new Option('--number <n>', 'the bulletin: 1, 2 or 3').choices(['1', '2', '3']).makeOptionMandatory(),
    )
    .requiredOption('--surname <name>', "the person's surname")
    .requiredOption('--given-names <names>', "the person's given names")
    .requiredOption('--born <date>', 'date of birth, YYYY-MM-DD')
    .requiredOption('--born-at <place>', 'place of birth')
    .option('--father <surname>', "the father's surname, when namesakes must be told apart")
    .option('--mother <surname>', "the mother's surname, when namesakes must be told apart")
    .addOption(new Option('--sex <sex>', 'male or female').choices(['male', 'female']))
    .option('--nationality <code>', 'ISO 3166 alpha-3 nationality (CMR)')
    .requiredOption('--purpose <text>', 'why it is asked: kept by the register and in the history')
    .option(
      '--pdf <file>',
      "write the bulletin as a PDF with the court's seal (the document key's passphrase from XMJURIS_DOCUMENT_KEY_PASSPHRASE)",
    )
    .option('--wait <seconds>', "how long to wait for the register's answer", secondsOption(1, 3600), 120)
    .action(
      (options: {
        number: string;
        surname: string;
        givenNames: string;
        born: string;
        bornAt: string;
        father?: string;
        mother?: string;
        sex?: string;
        nationality?: string;
        purpose: string;
        pdf?: string;
        wait: number;
      }) =>
        deps.asUser(async (session) => {
          const ask: BulletinAsk = {
            bulletin: `b${options.number}` as Bulletin,
            purpose: options.purpose,
            identity: {
              person_surname: options.surname,
              person_given_names: options.givenNames,
              person_date_of_birth: options.born,
              person_place_of_birth: options.bornAt,
              ...(options.father ? { father_surname: options.father } : {}),
              ...(options.mother ? { mother_surname: options.mother } : {}),
              ...(options.sex ? { person_sex: options.sex } : {}),
              ...(options.nationality ? { person_nationality: options.nationality } : {}),
            },
          };
          // The seal's key is opened first: a wrong passphrase costs no request to the register.
          const signer = options.pdf
            ? await loadDocumentSigner(deps.dataDir(), await deps.documentPassphrase(), deps.words)
            : undefined;
          const register = registerOver(deps.connector, session, options.wait);
          const outcome = await askBulletin(register, session.user, ask, deps.today());
          const documentId = randomUUID();
          if (signer && options.pdf) {
            const printed = await printBulletin({
              ask,
              extract: outcome.extract,
              court: session.identity,
              requestedBy: session.user.login,
              documentId,
              issuedAt: deps.now(),
              signer,
              niu: `${session.identity.centreCode}-B${ask.bulletin.slice(1)}`,
            });
            try {
              await writeFile(options.pdf, printed.pdf, { mode: 0o600 });
            } catch (cause) {
              throw fileError(cause, options.pdf, 'write');
            }
          }
          await recordBulletin(session.db, session.user, ask, outcome.extract, documentId);
          deps.print(bulletinLines(outcome.extract, deps.language()).join('\n'), {
            documentId,
            pdf: options.pdf ?? null,
            ...outcome.extract,
          });
        }),
    );
}
