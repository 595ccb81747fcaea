import {
  DocumentsError,
  describeSealVerification,
  readSealInput,
  readTrustList,
  type SealVerification,
  sealReportLines,
  type TrustList,
  verifySeal,
} from '@xmcomm/documents';
import type { Language } from '@xmcomm/schema';
import type { Command } from 'commander';
import type { CentreContext } from './acts.js';
import type { CliIo } from './cli-io.js';
import {
  actKindOfSeal,
  compareWithRecord,
  comparisonLines,
  type FieldComparison,
  heldTrustListText,
  nationalCa,
  type VerifyOutcome,
} from './document-check.js';
import { EcrError, verifyExitCodes } from './errors.js';
import { tableOfKind } from './rules.js';
import type { ImportResponsePage } from './sync.js';
import type { CentreConnector } from './sync-commands.js';
import { requirePrivilege, type SessionUser } from './users.js';

// `ecr verify`: a printed document's seal checked offline with the trust list the server sent the
// centre, as `xmdoc verify` does (the same library, the same words); with --online, the central
// record asked for by NIU through an import request and compared field by field.

export interface VerifyCommandDeps {
  readonly io: CliIo;
  readonly asUser: <T>(
    body: (ctx: CentreContext, user: SessionUser, password: string) => Promise<T>,
  ) => Promise<T>;
  readonly language: () => Language;
  readonly print: (human: string, json: unknown) => void;
  readonly connector: CentreConnector;
  /** The process's exit code for a conclusion that is not an error (INVALID, DIFFERS, ...). */
  readonly setExitCode: (code: number) => void;
}

const t = (language: Language, en: string, fr: string) => (language === 'fr' ? fr : en);

interface OnlineCheck {
  readonly outcome: 'match' | 'differs' | 'not-found' | 'no-link';
  readonly table: string;
  readonly niu: string;
  readonly fields: readonly FieldComparison[];
}

async function sealText(input: string, io: CliIo): Promise<{ text: string; source: string }> {
  if (input === '-') {
    const text = (await io.readStdin?.()) ?? '';
    return { text: text.replace(/\r?\n$/, ''), source: 'text' };
  }
  try {
    return await readSealInput(input);
  } catch (cause) {
    if (!DocumentsError.isInstance(cause)) throw cause;
    throw new EcrError(
      'unreadable-document',
      { detail: cause.message, detailFr: cause.messageFr },
      { cause },
    );
  }
}

async function heldTrustList(ctx: CentreContext): Promise<TrustList> {
  const held = await heldTrustListText(ctx.db);
  const pinnedCa = nationalCa(ctx.centre);
  try {
    return readTrustList(held.text, pinnedCa ? { pinnedCa } : {});
  } catch (cause) {
    if (!DocumentsError.isInstance(cause)) throw cause;
    throw new EcrError('no-trust-list', { detail: cause.message, detailFr: cause.messageFr }, { cause });
  }
}

function onlineLines(check: OnlineCheck, lang: Language): string[] {
  const where = `${check.table}, NIU ${check.niu}`;
  switch (check.outcome) {
    case 'no-link':
      return [
        t(
          lang,
          'Not checked online: no link to the central server (no broker, or none reached in time). The seal alone says VALID.',
          'Pas de vérification en ligne : aucune liaison avec le serveur central (pas de broker, ou injoignable à temps). Le sceau seul dit VALIDE.',
        ),
      ];
    case 'not-found':
      return [
        t(
          lang,
          `NOT FOUND at the central server: it holds no validated act ${where}.`,
          `INTROUVABLE au serveur central : il n'a aucun acte validé ${where}.`,
        ),
      ];
    default:
      return [
        t(lang, `At the central server (${where}):`, `Au serveur central (${where}) :`),
        ...comparisonLines(check.fields, lang),
        check.outcome === 'match'
          ? t(
              lang,
              'Every printed field matches the central record.',
              "Chaque champ imprimé concorde avec l'acte central.",
            )
          : t(
              lang,
              'The paper DIFFERS from the central record: do not accept it as it is.',
              "Le papier DIFFÈRE de l'acte central : ne l'acceptez pas tel quel.",
            ),
      ];
  }
}

export function registerVerifyCommand(program: Command, deps: VerifyCommandDeps): void {
  const { io, language, print, connector } = deps;

  /** Asks the central server for the act by NIU and compares; `no-link` when nothing carries the request. */
  async function checkOnline(
    ctx: CentreContext,
    actor: SessionUser,
    result: Extract<SealVerification, { status: 'VALID' }>,
    wait: number,
  ): Promise<OnlineCheck> {
    const content = result.content;
    const kind = actKindOfSeal(content);
    if (!kind) {
      throw new EcrError('usage', {
        detail: `The document is of a ${content.recordType}, not an act of civil registration: ecr cannot ask for it.`,
        detailFr: `Le document porte sur un(e) ${content.recordType}, pas sur un acte d'état civil : ecr ne peut pas le demander.`,
      });
    }
    const table = tableOfKind[kind];
    const pages: ImportResponsePage[] = [];
    let connected = false;
    const sync = await connector.connect(ctx, actor, {
      withoutBroker: true,
      eventsTo: 'stderr',
      onEvent: (event) => {
        if (event.event === 'link' && event.state === 'connected') connected = true;
      },
      onImportResponse: (page) => pages.push(page),
    });
    try {
      // Without a broker the request would only wait in the outbox: nobody would read its answer.
      if (!sync.carried) return { outcome: 'no-link', table, niu: content.niu, fields: [] };
      const queued = await sync.requestImport({
        table,
        conditions: [{ field: 'niu', op: '=', value: content.niu }],
        limit: 1,
      });
      if (!queued.ok) throw new Error(`import filter refused: ${queued.error.message}`);
      const { containerId } = await sync.answerOf(queued.id);
      const ours = (page: ImportResponsePage) =>
        page.table === table && (page.request === null || page.request === containerId);
      io.stderr(
        `${t(
          language(),
          `Asking the central server for ${table} NIU ${content.niu} (up to ${wait} s)…`,
          `Demande au serveur central de ${table} NIU ${content.niu} (jusqu'à ${wait} s)…`,
        )}\n`,
      );
      sync.start();
      try {
        await connector.awaitAnswer(
          sync,
          queued.id,
          wait,
          { what: 'the check of the document', whatFr: 'la vérification du document' },
          () => pages.some(ours),
        );
      } catch (error) {
        if (error instanceof EcrError && error.code === 'sync-incomplete' && !connected)
          return { outcome: 'no-link', table, niu: content.niu, fields: [] };
        throw error;
      }
      const row = pages
        .filter(ours)
        .flatMap((page) => page.rows)
        .find((candidate) => candidate.niu === content.niu);
      if (!row) return { outcome: 'not-found', table, niu: content.niu, fields: [] };
      const fields = compareWithRecord(kind, content, row);
      const differs = fields.some((field) => field.outcome === 'differs');
      return { outcome: differs ? 'differs' : 'match', table, niu: content.niu, fields };
    } finally {
      await sync.stop();
    }
  }

  program
    .command('verify <input>')
    .description(
      "check a printed document's QR seal offline with the centre's trust list: VALID or INVALID with the reason; --online also compares it with the central record. INPUT: the QR text, a PNG/JPEG image or a PDF, or - for the text on stdin",
    )
    .option(
      '--online',
      'also ask the central server for the act by its NIU (an import request, charged as one) and compare each printed field',
    )
    .option(
      '--wait <seconds>',
      'with --online: how long to wait for the answer',
      connector.secondsOption(1, 3600),
      60,
    )
    .action((input: string, options: { online?: boolean; wait: number }) =>
      deps.asUser(async (ctx, actor) => {
        requirePrivilege(
          actor,
          options.online ? 2 : 1,
          options.online
            ? {
                en: 'check a document with the central server',
                fr: 'vérifier un document auprès du serveur central',
              }
            : { en: 'verify a document', fr: 'vérifier un document' },
        );
        const lang = language();
        const list = await heldTrustList(ctx);
        const { text, source } = await sealText(input, io);
        const result = verifySeal(text, list, { at: io.now?.() ?? new Date() });
        const content = list.content;
        const trust = t(
          lang,
          `Trust list: ${content.issuer} no. ${content.sequence}, expires ${content.expiresAt.toISOString().slice(0, 10)}`,
          `Liste de confiance : ${content.issuer} n° ${content.sequence}, expire le ${content.expiresAt.toISOString().slice(0, 10)}`,
        );
        let online: OnlineCheck | null = null;
        let outcome: VerifyOutcome = result.status === 'VALID' ? 'valid' : 'invalid';
        const lines = [...sealReportLines(result, lang), `  ${trust}`];
        if (options.online && result.status === 'VALID') {
          online = await checkOnline(ctx, actor, result, options.wait);
          outcome = online.outcome;
          lines.push('', ...onlineLines(online, lang));
        } else if (options.online) {
          lines.push(
            '',
            t(
              lang,
              'Not checked online: the seal is not valid, so what it says is not to be compared.',
              "Pas de vérification en ligne : le sceau n'est pas valide, ce qu'il dit n'est pas à comparer.",
            ),
          );
        }
        const exitCode = verifyExitCodes[outcome];
        print(lines.join('\n'), {
          command: 'verify',
          source,
          ...result,
          message: describeSealVerification(result, lang),
          trustList: { issuer: content.issuer, sequence: content.sequence, expiresAt: content.expiresAt },
          online,
          outcome,
          exitCode,
        });
        deps.setExitCode(exitCode);
      }),
    );
}
