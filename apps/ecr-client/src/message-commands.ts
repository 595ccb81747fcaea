import type { Language } from '@xmcomm/schema';
import type { Command } from 'commander';
import type { CentreContext } from './acts.js';
import { EcrError } from './errors.js';
import { listMessages, markAllRead, readMessage, type ServerMessage, unreadCount } from './messages.js';
import type { SessionUser } from './users.js';

// `ecr message list` and `ecr message read`: what the central server's operators wrote to the centre.

/** What a command module needs from the program (program.ts builds it once). */
export interface CommandDeps {
  readonly asUser: <T>(
    body: (ctx: CentreContext, user: SessionUser, password: string) => Promise<T>,
  ) => Promise<T>;
  readonly language: () => Language;
  readonly print: (human: string, json: unknown) => void;
  /** The clock (CliIo's, for tests), for read marks and locks. */
  readonly now: () => Date;
  readonly helpers: {
    readonly table: (header: readonly string[], rows: readonly (readonly string[])[]) => string;
    readonly integerOption: (value: string) => number;
  };
}

const t = (language: Language, en: string, fr: string) => (language === 'fr' ? fr : en);

/** `2026-12-07T08:15Z`: to the minute, in UTC like the rest of ecr's times. */
export const minute = (date: Date | null) => (date ? `${date.toISOString().slice(0, 16)}Z` : '');

/** The first line of a message, cut to fit a table row. */
function headline(text: string, width = 60): string {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const chars = [...first];
  const cut = chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : first;
  return cut + (text.includes('\n') && chars.length <= width ? ' …' : '');
}

function readState(message: ServerMessage, language: Language): string {
  return message.readAt === null
    ? t(language, 'UNREAD', 'NON LU')
    : t(language, `read by ${message.readBy ?? '?'}`, `lu par ${message.readBy ?? '?'}`);
}

const asJson = (message: ServerMessage) => ({
  id: message.id,
  text: message.text,
  sentAt: message.sentAt?.toISOString() ?? null,
  receivedAt: message.receivedAt.toISOString(),
  unread: message.readAt === null,
  readAt: message.readAt?.toISOString() ?? null,
  readBy: message.readBy,
});

export function registerMessageCommands(program: Command, deps: CommandDeps): void {
  const { asUser, language, print } = deps;
  const message = program
    .command('message')
    .description("the central server's messages to the centre (any user reads them)");

  message
    .command('list')
    .description('list the messages, newest first; the unread ones are marked')
    .option('--unread', 'only the messages nobody has read yet')
    .action((options: { unread?: boolean }) =>
      asUser(async (ctx, actor) => {
        const messages = await listMessages(ctx.db, actor, { unread: options.unread === true });
        const lang = language();
        if (messages.length === 0) {
          print(
            options.unread
              ? t(
                  lang,
                  'No unread message from the central server.',
                  'Aucun message non lu du serveur central.',
                )
              : t(lang, 'No message from the central server.', 'Aucun message du serveur central.'),
            [],
          );
          return;
        }
        const unread = messages.filter((m) => m.readAt === null).length;
        print(
          [
            deps.helpers.table(
              ['n', t(lang, 'received', 'reçu'), t(lang, 'state', 'état'), 'message'],
              messages.map((m) => [String(m.id), minute(m.receivedAt), readState(m, lang), headline(m.text)]),
            ),
            unread > 0
              ? t(
                  lang,
                  '`ecr message read <n>` shows a message in full and marks it read.',
                  '`ecr message read <n>` affiche un message en entier et le marque lu.',
                )
              : '',
          ]
            .filter(Boolean)
            .join('\n'),
          messages.map(asJson),
        );
      }),
    );

  message
    .command('read [n]')
    .description('show message n in full and mark it read for the centre; or mark them all read with --all')
    .option('--all', 'mark every unread message read, without showing them')
    .action((n: string | undefined, options: { all?: boolean }) =>
      asUser(async (ctx, actor) => {
        const lang = language();
        if (options.all === (n !== undefined)) {
          throw new EcrError('usage', {
            detail: 'Say which message: `ecr message read <n>`, or `ecr message read --all`.',
            detailFr: 'Indiquez quel message : `ecr message read <n>`, ou `ecr message read --all`.',
          });
        }
        if (options.all) {
          const marked = await markAllRead(ctx.db, actor, deps.now);
          print(t(lang, `${marked} message(s) marked read.`, `${marked} message(s) marqué(s) lu(s).`), {
            marked,
            unread: await unreadCount(ctx.db),
          });
          return;
        }
        const id = deps.helpers.integerOption(n as string);
        const shown = await readMessage(ctx.db, actor, id, deps.now);
        const sent = shown.sentAt
          ? t(lang, `, sent ${minute(shown.sentAt)}`, `, envoyé ${minute(shown.sentAt)}`)
          : '';
        print(
          [
            t(
              lang,
              `Message ${shown.id} from the central server${sent}, received ${minute(shown.receivedAt)}:`,
              `Message ${shown.id} du serveur central${sent}, reçu ${minute(shown.receivedAt)} :`,
            ),
            '',
            shown.text,
            '',
            shown.markedNow
              ? t(lang, '(now marked read)', '(marqué lu)')
              : t(
                  lang,
                  `(read by ${shown.readBy ?? '?'} on ${minute(shown.readAt)})`,
                  `(lu par ${shown.readBy ?? '?'} le ${minute(shown.readAt)})`,
                ),
          ].join('\n'),
          { ...asJson(shown), markedNow: shown.markedNow },
        );
      }),
    );
}
