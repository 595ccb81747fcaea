import {
  describeReasonCode,
  describeTransportError,
  type TransportError,
  type TransportErrorCode,
} from '@xmcomm/mqtt-transport';
import { births, deaths, type Language, marriages } from '@xmcomm/schema';
import {
  describeReason,
  type FilterCondition,
  type FilterOperator,
  type FilterOrder,
} from '@xmcomm/status-sync';
import { type Command, Option } from 'commander';
import type { CentreContext } from './acts.js';
import {
  centrePasswordKey,
  checkCentrePasswordChange,
  passwordChangeMessage,
  readCentrePassword,
  recordPendingChange,
} from './centre-password.js';
import type { CliIo } from './cli-io.js';
import { loadDictionaries } from './dictionaries.js';
import { EcrError } from './errors.js';
import { brokerSettings, hasBroker, openCentreLink } from './link.js';
import { unreadAnnouncement, unreadCount } from './messages.js';
import { readSecret } from './prompt.js';
import { type ActKind, tableOfKind } from './rules.js';
import { type CentreSync, createCentreSync, type ImportResponsePage, type SyncEvent } from './sync.js';
import { requirePrivilege, type SessionUser } from './users.js';

// `ecr sync`, `ecr import`, `ecr account` and `ecr passwd`: everything that talks to the central server.

interface Deps {
  readonly io: CliIo;
  readonly asUser: <T>(
    body: (ctx: CentreContext, user: SessionUser, password: string) => Promise<T>,
  ) => Promise<T>;
  readonly language: () => Language;
  readonly dataDir: () => string;
  readonly print: (human: string, json: unknown) => void;
  readonly newPassword: (variable: string, who: string) => Promise<string>;
  readonly json: () => boolean;
  readonly helpers: {
    readonly table: (header: readonly string[], rows: readonly (readonly string[])[]) => string;
    readonly integerOption: (value: string) => number;
    readonly collect: (value: string, previous: string[]) => string[];
    readonly parseKind: (text: string) => ActKind;
  };
}

const t = (language: Language, en: string, fr: string) => (language === 'fr' ? fr : en);
/** `ecr sync --once` stops once nothing has come from the broker for this long after connecting. */
const settleMs = 1000;
const short = (container: string) => container.slice(-12);
const definitions = { birth: births, marriage: marriages, death: deaths } as const;

function secondsOption(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d{1,5}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new EcrError('usage', {
        detail: `${value}: expected a number of seconds from ${min} to ${max}.`,
        detailFr: `${value} : nombre de secondes de ${min} à ${max} attendu.`,
      });
    }
    return Number(value);
  };
}

/**
 * What the centre must do about an act the server refused, by reason: the step really needed, no
 * more. The secretary's verification stands unless the act is edited (an edit asks for a new one).
 */
export function adviceFor(reason: string): { readonly en: string; readonly fr: string } {
  switch (reason) {
    case 'duplicate-niu':
      return {
        en: 'the officer validates it again, which gives it a new NIU',
        fr: "l'officier le valide à nouveau, ce qui lui donne un nouveau NIU",
      };
    case 'foreign-niu':
      return {
        en: "the central server has another centre code for this centre than ecr's: ask its operators to check it (xmserver client show), then the officer validates it again",
        fr: "le serveur central a pour ce centre un autre code de centre que celui d'ecr : demandez à ses opérateurs de le vérifier (xmserver client show), puis l'officier le valide à nouveau",
      };
    case 'schema-mismatch':
    case 'unknown-table':
      return {
        en: "this ecr does not speak the server's table contract: update ecr, then the officer validates it again",
        fr: "cet ecr ne parle pas le contrat de tables du serveur : mettez ecr à jour, puis l'officier le valide à nouveau",
      };
    case 'unknown-dictionary':
      return {
        en: 'the central server does not hold the dictionary this ecr packs acts with (its fingerprint is in parentheses): ask its operators which one it holds and update ecr, then the officer validates it again',
        fr: "le serveur central n'a pas le dictionnaire avec lequel cet ecr compacte les actes (son empreinte est entre parenthèses) : demandez à ses opérateurs lequel il a et mettez ecr à jour, puis l'officier le valide à nouveau",
      };
    case 'invalid-field':
      return {
        en: 'correct the field (ecr act edit; a secretary verifies the edit), then the officer validates it again',
        fr: "corrigez le champ (ecr act edit ; un secrétaire vérifie la modification), puis l'officier le valide à nouveau",
      };
    default:
      return {
        en: 'the officer validates it again (its verification stands unless it is edited)',
        fr: "l'officier le valide à nouveau (sa vérification reste acquise s'il n'est pas modifié)",
      };
  }
}

/** One line per event for a person; null for what only scripts care about. */
export function describeEvent(event: SyncEvent, language: Language): string | null {
  const l = (en: string, fr: string) => t(language, en, fr);
  switch (event.event) {
    case 'link':
      return event.state === 'connected' ? l('connected to the broker', 'connecté au broker') : null;
    case 'link-error': {
      // The transport's words in the user's language, then the broker's reason code in words, or else
      // the system's own detail (ECONNREFUSED, a TLS alert), which has no translation.
      const code = event.code as TransportErrorCode;
      const prefix = `${describeTransportError(code, 'en')}: `;
      const detail = event.message.startsWith(prefix) ? event.message.slice(prefix.length) : '';
      const reason =
        event.reasonCode !== undefined
          ? ` (${describeReasonCode(event.reasonCode, language)}, code ${event.reasonCode})`
          : detail
            ? ` (${detail})`
            : '';
      return l(
        `link: ${describeTransportError(code, 'en')}${reason} [${event.code}]`,
        `liaison : ${describeTransportError(code, 'fr')}${reason} [${event.code}]`,
      );
    }
    case 'sealed':
      return l(
        `sealed ${event.refs.length} act(s) into container …${short(event.container)}: ${event.refs.join(' ')}`,
        `${event.refs.length} acte(s) scellé(s) dans le conteneur …${short(event.container)} : ${event.refs.join(' ')}`,
      );
    case 'sent':
      return l(
        `sent container …${short(event.container)} (${event.kind}, ${event.rows} row(s), attempt ${event.attempt})`,
        `conteneur …${short(event.container)} envoyé (${event.kind}, ${event.rows} ligne(s), tentative ${event.attempt})`,
      );
    case 'exported':
      return l(
        `exported (server receipt): ${event.refs.join(' ')}`,
        `exporté(s) (accusé du serveur) : ${event.refs.join(' ')}`,
      );
    case 'rejected': {
      const advice = adviceFor(event.reason);
      return l(
        `REJECTED ${event.ref}${event.niu ? ` (${event.niu})` : ''}: ${describeReason(event.reason, 'en')} [${event.reason}]${event.detail ? ` (${event.detail})` : ''}; ${advice.en}`,
        `REJETÉ ${event.ref}${event.niu ? ` (${event.niu})` : ''} : ${describeReason(event.reason, 'fr')} [${event.reason}]${event.detail ? ` (${event.detail})` : ''} ; ${advice.fr}`,
      );
    }
    case 'held':
      return l(
        `WAITING ${event.refs.join(' ')}: the server refused the centre's account, not the acts (${describeReason(event.reason, 'en')} [${event.reason}]); they stay validated and go again by themselves once the server says the account allows them (ecr account asks it now)`,
        `EN ATTENTE ${event.refs.join(' ')} : le serveur a refusé le compte du centre, pas les actes (${describeReason(event.reason, 'fr')} [${event.reason}]) ; ils restent validés et repartent d'eux-mêmes dès que le serveur dit que le compte le permet (ecr account le lui demande)`,
      );
    case 'answered':
      return event.accepted
        ? l(
            `the server accepted ${event.kind} …${short(event.container)}`,
            `le serveur a accepté ${event.kind} …${short(event.container)}`,
          )
        : l(
            `the server refused ${event.kind} …${short(event.container)}: ${event.reason}`,
            `le serveur a refusé ${event.kind} …${short(event.container)} : ${event.reason}`,
          );
    case 'imported':
      return l(
        `imported ${event.stored} row(s) of ${event.table} (read-only)${event.refused ? `, ${event.refused} unusable` : ''}${event.more ? '; more match: raise --limit' : ''}`,
        `${event.stored} ligne(s) de ${event.table} importée(s) (lecture seule)${event.refused ? `, ${event.refused} inutilisable(s)` : ''}${event.more ? ' ; il y en a d’autres : augmentez --limit' : ''}`,
      );
    case 'account':
    case 'profile':
      return l(
        `the server sent the ${event.event}`,
        `le serveur a envoyé le ${event.event === 'account' ? 'compte' : 'profil'}`,
      );
    case 'message':
      return l(
        `message ${event.id} from the central server received`,
        `message ${event.id} du serveur central reçu`,
      );
    case 'refused-incoming':
      return l(
        `ignored a container that did not come from the server (${event.reason})`,
        `conteneur ignoré, il ne vient pas du serveur (${event.reason})`,
      );
  }
}

const fieldName = '([a-z_][a-z0-9_]*)';
const comparison = new RegExp(`^${fieldName}(!=|>=|<=|=|>|<|~)(.*)$`);
const between = new RegExp(`^${fieldName}\\s+between\\s+(.+?)\\s+and\\s+(.+)$`, 'i');
const among = new RegExp(`^${fieldName}\\s+in\\s+(.+)$`, 'i');
const isNull = new RegExp(`^${fieldName}\\s+is\\s+null$`, 'i');
const operatorOf: Record<string, FilterOperator> = {
  '=': '=',
  '!=': '!=',
  '>=': '>=',
  '<=': '<=',
  '>': '>',
  '<': '<',
  '~': 'like',
};

/** A value as the command line gives it, typed by the contract's column so the server's check sees a number or boolean. */
function typedValue(kind: ActKind, field: string, raw: string): unknown {
  const type = (definitions[kind].columns as Record<string, { type: string } | undefined>)[field]?.type;
  if ((type === 'integer' || type === 'smallint' || type === 'bigint') && /^-?\d+$/.test(raw))
    return Number(raw);
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

/**
 * One `--where`: `field=value` (also != >= <= > <, and ~ for a LIKE pattern with %),
 * `field between LOW and HIGH`, `field in A,B,C` or `field is null`; values typed by the contract.
 * The server checks the field and the operator against the contract again: this only shapes the request.
 */
export function parseCondition(kind: ActKind, text: string): FilterCondition {
  const trimmed = text.trim();
  const nullMatch = isNull.exec(trimmed);
  if (nullMatch) return { field: nullMatch[1] as string, op: 'is-null' };
  const betweenMatch = between.exec(trimmed);
  if (betweenMatch) {
    const [, field, low, high] = betweenMatch as unknown as [string, string, string, string];
    return { field, op: 'between', value: [typedValue(kind, field, low), typedValue(kind, field, high)] };
  }
  const amongMatch = among.exec(trimmed);
  if (amongMatch) {
    const [, field, list] = amongMatch as unknown as [string, string, string];
    const values = list.split(',').map((item) => typedValue(kind, field, item.trim()));
    return { field, op: 'in', value: values };
  }
  const match = comparison.exec(trimmed);
  if (!match) {
    throw new EcrError('usage', {
      detail: `${text}: expected field=value (or != >= <= > <, ~ for a pattern with %), "field between A and B", "field in A,B" or "field is null".`,
      detailFr: `${text} : forme attendue champ=valeur (ou != >= <= > <, ~ pour un motif avec %), « champ between A and B », « champ in A,B » ou « champ is null ».`,
    });
  }
  const [, field, op, raw] = match as unknown as [string, string, string, string];
  return { field, op: operatorOf[op] as FilterOperator, value: typedValue(kind, field, raw) };
}

/** One `--order`: `field` or `field:asc` / `field:desc`. */
export function parseOrder(text: string): FilterOrder {
  const match = new RegExp(`^${fieldName}(?::(asc|desc))?$`).exec(text.trim());
  if (!match) {
    throw new EcrError('usage', {
      detail: `${text}: expected field, field:asc or field:desc.`,
      detailFr: `${text} : forme attendue champ, champ:asc ou champ:desc.`,
    });
  }
  return { field: match[1] as string, direction: match[2] === 'desc' ? 'desc' : 'asc' };
}

/** What other commands borrow from the sync commands: the centre's link and the wait for an answer. */
export interface CentreConnector {
  readonly connect: (
    ctx: CentreContext,
    user: SessionUser,
    options?: {
      withoutBroker?: boolean;
      onEvent?: (event: SyncEvent) => void;
      onImportResponse?: (page: ImportResponsePage) => void;
      eventsTo?: 'stdout' | 'stderr';
    },
  ) => Promise<CentreSync>;
  readonly awaitAnswer: (
    sync: CentreSync,
    id: number,
    seconds: number,
    request: { what: string; whatFr: string },
    answered?: () => boolean,
  ) => Promise<void>;
  readonly secondsOption: typeof secondsOption;
}

export function registerSyncCommands(program: Command, deps: Deps): CentreConnector {
  const { io, asUser, language, print } = deps;

  /**
   * The centre's link to the server for one command; events go to stdout as they happen. With
   * `withoutBroker`, a centre that has no broker gets its outbox alone (`carried` false): what the
   * command queues waits there for a stick (`t2d export`) or a later sync.
   */
  async function connect(
    ctx: CentreContext,
    user: SessionUser,
    options: {
      maxRows?: number;
      containerSeconds?: number;
      resendAfterMs?: number;
      withoutBroker?: boolean;
      onEvent?: (event: SyncEvent) => void;
      onImportResponse?: (page: ImportResponsePage) => void;
      /** Where the events' lines go: stdout (default), or stderr as progress when stdout is the command's answer. */
      eventsTo?: 'stdout' | 'stderr';
    } = {},
  ): Promise<CentreSync> {
    const passphrase = await readSecret(
      io.env,
      'ECR_KEY_PASSPHRASE',
      t(language(), "Passphrase for the centre's key: ", 'Phrase de passe de la clé du centre : '),
      io.terminal,
    );
    const link = await openCentreLink(deps.dataDir(), ctx.centre, passphrase, await loadDictionaries(ctx.db));
    const broker =
      options.withoutBroker && !hasBroker(ctx.centre, io.env)
        ? undefined
        : await brokerSettings(ctx.centre, io.env);
    return createCentreSync({
      db: ctx.db,
      link,
      ...(broker ? { broker } : {}),
      user: user.login,
      ...(options.maxRows ? { maxRows: options.maxRows } : {}),
      ...(options.containerSeconds ? { containerSeconds: options.containerSeconds } : {}),
      ...(options.resendAfterMs ? { resendAfterMs: options.resendAfterMs } : {}),
      ...(options.onImportResponse ? { onImportResponse: options.onImportResponse } : {}),
      onEvent: (event) => {
        options.onEvent?.(event);
        const write = options.eventsTo === 'stderr' ? io.stderr : io.stdout;
        if (deps.json()) write(`${JSON.stringify(event)}\n`);
        else {
          const line = describeEvent(event, language());
          if (line) write(`${line}\n`);
        }
      },
    });
  }

  /**
   * The broker refused the centre's login: in words, with what to do. The reason code in words
   * comes from the transport's own table (`describeReasonCode`), as xmserver's messages do.
   */
  function connectionRefused(error: TransportError): EcrError {
    const code = error.reasonCode;
    return new EcrError(
      'connection-refused',
      {
        reasonCode: code ?? '-',
        reason:
          code === undefined ? describeTransportError(error.code, 'en') : describeReasonCode(code, 'en'),
        reasonFr:
          code === undefined ? describeTransportError(error.code, 'fr') : describeReasonCode(code, 'fr'),
        // MQTT 3.1.1's 4 and MQTT 5's 134: the login itself may be mistyped, not only refused.
        credentials: code === 4 || code === 134 ? 'yes' : '',
      },
      { cause: error },
    );
  }

  function throwIfRefused(sync: CentreSync): void {
    const refusal = sync.refusal();
    if (refusal) throw connectionRefused(refusal);
  }

  /** What a centre without a broker is told about a request it queued. */
  function queuedLine(container: string, what: { en: string; fr: string }): string {
    return t(
      language(),
      `${what.en} is queued in the outbox (container …${short(container)}): it goes with the next \`ecr sync\` or stick (\`t2d export\`), and the answer is taken in when it comes back (\`t2d import\`).`,
      `${what.fr} est en file d'envoi (conteneur …${short(container)}) : elle partira au prochain \`ecr sync\` ou sur la prochaine clé (\`t2d export\`), et la réponse sera prise en compte à son retour (\`t2d import\`).`,
    );
  }

  async function incomplete(sync: CentreSync, seconds: number): Promise<EcrError> {
    return new EcrError('sync-incomplete', { pending: await sync.unacknowledged(), seconds });
  }

  /**
   * Waits up to `seconds` for the server's receipt of a queued request (and, when the receipt
   * alone is not the answer, until `answered()`); a refusal becomes `server-refused`.
   */
  async function awaitAnswer(
    sync: CentreSync,
    id: number,
    seconds: number,
    request: { what: string; whatFr: string },
    answered: () => boolean = () => true,
  ): Promise<void> {
    const done = await sync.waitUntil(
      async () => {
        if (sync.refusal()) return true;
        const answer = await sync.answerOf(id);
        return answer.acknowledged && (answer.error !== null || answered());
      },
      seconds * 1000,
      io.signal,
    );
    throwIfRefused(sync);
    if (!done) throw await incomplete(sync, seconds);
    const answer = await sync.answerOf(id);
    if (answer.error !== null) throw new EcrError('server-refused', { ...request, reason: answer.error });
  }

  program
    .command('sync')
    .description(
      'send validated acts to the central server and take in its receipts and answers; every --interval seconds until stopped, or once',
    )
    .option(
      '--once',
      'send, wait for the receipts and take in what the server sent (up to --wait seconds), then stop',
    )
    .option('--interval <seconds>', 'seconds between two rounds, 10-300', secondsOption(10, 300), 60)
    .option('--wait <seconds>', 'with --once: how long to wait for receipts', secondsOption(1, 3600), 120)
    .option(
      '--max-rows <n>',
      'at most this many acts per container, a ceiling (10000, what the server accepts); below it the size is chosen for the link',
      deps.helpers.integerOption,
    )
    .option(
      '--container-seconds <seconds>',
      'seconds of the link one container may take at most, at the rate measured on the last ones (15)',
      secondsOption(1, 600),
    )
    .option(
      '--resend-after <seconds>',
      'send a container again when its receipt has not come after this long at least (30), longer for a large container on a slow link, doubling each time',
      secondsOption(1, 3600),
    )
    .action(
      (options: {
        once?: boolean;
        interval: number;
        wait: number;
        maxRows?: number;
        containerSeconds?: number;
        resendAfter?: number;
      }) =>
        asUser(async (ctx, actor) => {
          requirePrivilege(actor, 3, {
            en: 'send acts to the server',
            fr: 'envoyer des actes au serveur',
          });
          const totals = { sealed: 0, sent: 0, exported: 0, rejected: 0, held: 0, imported: 0, messages: 0 };
          const announce = (unread: number) => {
            const line = unreadAnnouncement(unread, language());
            if (line && !deps.json()) io.stdout(`${line}\n`);
          };
          const sync = await connect(ctx, actor, {
            ...(options.maxRows ? { maxRows: options.maxRows } : {}),
            ...(options.containerSeconds ? { containerSeconds: options.containerSeconds } : {}),
            ...(options.resendAfter ? { resendAfterMs: options.resendAfter * 1000 } : {}),
            onEvent: (event) => {
              if (event.event === 'sealed') totals.sealed += event.refs.length;
              else if (event.event === 'sent') totals.sent += 1;
              else if (event.event === 'exported') totals.exported += event.refs.length;
              else if (event.event === 'rejected') totals.rejected += 1;
              else if (event.event === 'held') totals.held += event.refs.length;
              else if (event.event === 'imported') totals.imported += event.stored;
              else if (event.event === 'message') {
                totals.messages += 1;
                // Running until stopped, the centre hears of a message when it comes; once, at the end.
                if (!options.once) announce(event.unread);
              }
            },
          });
          sync.start();
          try {
            if (options.once) {
              await sync.exportValidated();
              // Connected at least once, so that what the broker kept for the centre (receipts of
              // earlier runs, the server's messages) comes in even when nothing waits to go; and so
              // that a broker refusing the centre is heard, whatever waits.
              const settled = await sync.waitUntil(
                async () =>
                  sync.refusal() !== undefined ||
                  ((await sync.unacknowledged()) === 0 && sync.settled(settleMs)),
                options.wait * 1000,
                io.signal,
              );
              const waiting = await sync.unacknowledged();
              const unread = totals.messages > 0 ? await unreadCount(ctx.db) : 0;
              // One line, like the events before it, so that a script reads the output line by line.
              if (deps.json())
                io.stdout(
                  `${JSON.stringify({ event: 'summary', ...totals, waiting, unreadMessages: unread })}\n`,
                );
              else
                io.stdout(
                  `${t(
                    language(),
                    `${totals.sealed} sealed, ${totals.sent} container(s) sent, ${totals.exported} exported, ${totals.rejected} rejected, ${totals.held} held for the account, ${waiting} container(s) waiting.`,
                    `${totals.sealed} scellé(s), ${totals.sent} conteneur(s) envoyé(s), ${totals.exported} exporté(s), ${totals.rejected} rejeté(s), ${totals.held} retenu(s) pour le compte, ${waiting} conteneur(s) en attente.`,
                  )}\n`,
                );
              announce(unread);
              throwIfRefused(sync);
              if (!settled) throw await incomplete(sync, options.wait);
              return;
            }
            // Until stopped, or until the broker refuses the centre: retrying a refused login helps nobody.
            const stopped = new AbortController();
            void sync.whenRefused().then(() => stopped.abort());
            if (io.signal?.aborted) stopped.abort();
            else io.signal?.addEventListener('abort', () => stopped.abort(), { once: true });
            while (!stopped.signal.aborted) {
              await sync.exportValidated();
              await sleep(options.interval * 1000, stopped.signal);
            }
            throwIfRefused(sync);
          } finally {
            await sync.stop();
          }
        }),
    );

  program
    .command('import <type>')
    .description(
      'ask the central server for acts (birth, marriage, death) matching conditions; they are stored here read-only',
    )
    .option(
      '--where <condition>',
      'field=value (also != >= <= > <, field~pattern with %, "field between A and B", "field in A,B,C", "field is null"); repeatable, all must hold',
      deps.helpers.collect,
      [] as string[],
    )
    .option(
      '--order <field[:desc]>',
      'sort by this field (repeatable; ascending unless :desc)',
      deps.helpers.collect,
      [] as string[],
    )
    .option('--limit <n>', 'at most this many acts (100)', deps.helpers.integerOption)
    .option('--wait <seconds>', 'how long to wait for the answer', secondsOption(1, 3600), 60)
    .action((type: string, options: { where: string[]; order: string[]; limit?: number; wait: number }) =>
      asUser(async (ctx, actor) => {
        requirePrivilege(actor, 2, {
          en: 'import acts from the server',
          fr: 'importer des actes du serveur',
        });
        const kind = deps.helpers.parseKind(type);
        if (options.where.length === 0) {
          throw new EcrError('usage', {
            detail: 'Say which acts: at least one --where field=value.',
            detailFr: 'Indiquez quels actes : au moins un --where champ=valeur.',
          });
        }
        const conditions = options.where.map((text) => parseCondition(kind, text));
        const order = options.order.map(parseOrder);
        const imported: Extract<SyncEvent, { event: 'imported' }>[] = [];
        const sync = await connect(ctx, actor, {
          withoutBroker: true,
          onEvent: (event) => {
            if (event.event === 'imported') imported.push(event);
          },
        });
        try {
          const queued = await sync.requestImport({
            table: tableOfKind[kind],
            conditions,
            ...(order.length > 0 ? { order } : {}),
            limit: options.limit ?? 100,
          });
          if (!queued.ok) {
            throw new EcrError('usage', {
              detail: `The filter is not valid: ${queued.error.message}`,
              detailFr: `Le filtre n'est pas valide : ${queued.error.message}`,
            });
          }
          if (!sync.carried) {
            const { containerId } = await sync.answerOf(queued.id);
            print(queuedLine(containerId, { en: 'The import request', fr: "La demande d'import" }), {
              queued: true,
              container: containerId,
              imported: 0,
              rows: [],
            });
            return;
          }
          sync.start();
          await awaitAnswer(
            sync,
            queued.id,
            options.wait,
            { what: 'the import request', whatFr: "la demande d'import" },
            () => imported.length > 0,
          );
          const rows = imported.flatMap((event) => event.rows);
          print(
            deps.helpers.table(
              ['ref', 'NIU'],
              rows.map((row) => [row.ref ?? '', row.niu ?? '']),
            ),
            { imported: imported.reduce((n, e) => n + e.stored, 0), rows },
          );
        } finally {
          await sync.stop();
        }
      }),
    );

  program
    .command('account')
    .description("the centre's balance and status as the central server last reported them")
    .option('--refresh', 'ask the server now (and wait up to --wait seconds)')
    .option('--wait <seconds>', 'with --refresh: how long to wait for the answer', secondsOption(1, 3600), 60)
    .action((options: { refresh?: boolean; wait: number }) =>
      asUser(async (ctx, actor) => {
        requirePrivilege(actor, 1, { en: 'read the account', fr: 'consulter le compte' });
        // At a centre without a broker the request is only queued: the answer comes back by stick.
        let queuedContainer: string | null = null;
        if (options.refresh) {
          let came = false;
          const sync = await connect(ctx, actor, {
            withoutBroker: true,
            onEvent: (event) => {
              if (event.event === 'account') came = true;
            },
          });
          try {
            const id = await sync.requestAccount();
            if (sync.carried) {
              sync.start();
              await awaitAnswer(
                sync,
                id,
                options.wait,
                { what: 'the account request', whatFr: 'la demande de compte' },
                () => came,
              );
            } else queuedContainer = (await sync.answerOf(id)).containerId;
          } finally {
            await sync.stop();
          }
        }
        const settings = await ctx.db
          .selectFrom('xm_site.settings')
          .select(['key', 'value', 'updated_at'])
          .where('key', 'in', ['status-sync.account', 'status-sync.profile', 'status-sync.hold'])
          .execute();
        const account = settings.find((s) => s.key === 'status-sync.account');
        const profile = settings.find((s) => s.key === 'status-sync.profile');
        const held = settings.find((s) => s.key === 'status-sync.hold')?.value as
          | { reason: string; since: string }
          | undefined;
        const password = await readCentrePassword(ctx.db);
        const lang = language();
        const queued =
          queuedContainer === null
            ? []
            : [queuedLine(queuedContainer, { en: 'The account request', fr: 'La demande de compte' })];
        if (!account && !profile) {
          print(
            [
              ...queued,
              queuedContainer === null
                ? t(
                    lang,
                    'The server has not reported the account yet: `ecr account --refresh`.',
                    "Le serveur n'a pas encore communiqué le compte : `ecr account --refresh`.",
                  )
                : t(
                    lang,
                    'The server has not reported the account yet.',
                    "Le serveur n'a pas encore communiqué le compte.",
                  ),
            ].join('\n'),
            { account: null, profile: null, queued: queuedContainer },
          );
          return;
        }
        const when = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value ?? ''));
        const lines = [
          ...queued,
          ...(account
            ? [
                t(
                  lang,
                  `account (as of ${when(account.updated_at)}):`,
                  `compte (au ${when(account.updated_at)}) :`,
                ),
                ...Object.entries(account.value as Record<string, unknown>).map(
                  ([key, value]) =>
                    `  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
                ),
              ]
            : []),
          ...(profile
            ? [
                t(
                  lang,
                  `profile (as of ${when(profile.updated_at)}):`,
                  `profil (au ${when(profile.updated_at)}) :`,
                ),
                ...Object.entries(profile.value as Record<string, unknown>).map(
                  ([key, value]) => `  ${key}: ${value === null ? '' : String(value)}`,
                ),
              ]
            : []),
          ...(held
            ? [
                t(
                  lang,
                  `validated acts wait since ${held.since}: the server refused the account (${describeReason(held.reason, 'en')}); they go again once it says the account allows them`,
                  `des actes validés attendent depuis le ${held.since} : le serveur a refusé le compte (${describeReason(held.reason, 'fr')}) ; ils repartent dès qu'il dit que le compte le permet`,
                ),
              ]
            : []),
          t(
            lang,
            `centre password: ${password.hash ? `changed ${password.changedAt}` : 'zerokey (never changed)'}${password.pending ? ', a change waits for the server' : ''}`,
            `mot de passe du centre : ${password.hash ? `changé le ${password.changedAt}` : 'zerokey (jamais changé)'}${password.pending ? ', un changement attend le serveur' : ''}`,
          ),
        ];
        print(lines.join('\n'), {
          account: account?.value ?? null,
          accountAt: account ? when(account.updated_at) : null,
          profile: profile?.value ?? null,
          profileAt: profile ? when(profile.updated_at) : null,
          hold: held ?? null,
          queued: queuedContainer,
          centrePassword: {
            changed: password.hash !== undefined,
            changedAt: password.changedAt ?? null,
            pending: password.pending !== undefined,
            refused: password.refused ?? null,
          },
        });
      }),
    );

  program
    .command('passwd')
    .description(
      "change the centre's password on the central server (zerokey until changed); current from ECR_CENTRE_PASSWORD, new from ECR_NEW_CENTRE_PASSWORD, or prompts",
    )
    .addOption(
      new Option('--wait <seconds>', "how long to wait for the server's answer")
        .argParser(secondsOption(1, 3600))
        .default(60),
    )
    .action((options: { wait: number }) =>
      asUser(async (ctx, actor) => {
        requirePrivilege(actor, 3, {
          en: "change the centre's password",
          fr: 'changer le mot de passe du centre',
        });
        const current = await readSecret(
          io.env,
          'ECR_CENTRE_PASSWORD',
          t(language(), "The centre's current password: ", 'Mot de passe actuel du centre : '),
          io.terminal,
        );
        const next = await deps.newPassword('ECR_NEW_CENTRE_PASSWORD', ctx.centre.matricule);
        await checkCentrePasswordChange(ctx.db, current, next);
        const { message, hash } = await passwordChangeMessage(next);
        const sync = await connect(ctx, actor);
        try {
          const id = await sync.requestControl(message);
          await recordPendingChange(ctx.db, hash, (await sync.answerOf(id)).containerId);
          sync.start();
          await awaitAnswer(sync, id, options.wait, {
            what: "the centre's new password",
            whatFr: 'le nouveau mot de passe du centre',
          });
          print(
            t(
              language(),
              "The server recorded the centre's new password.",
              'Le serveur a enregistré le nouveau mot de passe du centre.',
            ),
            { changed: true, setting: centrePasswordKey },
          );
        } finally {
          await sync.stop();
        }
      }),
    );
  return { connect, awaitAnswer, secondsOption };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}
