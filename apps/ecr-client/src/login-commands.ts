import type { Language } from '@xmcomm/schema';
import type { Command } from 'commander';
import type { CommandDeps } from './message-commands.js';
import { minute } from './message-commands.js';
import { unreadAnnouncement, unreadCount } from './messages.js';
import { roleName, roleOf, unlockUser } from './users.js';

// `ecr login` (check who you are, and hear what waits for you) and `ecr user unlock` (the officer
// lifts the lock that repeated wrong passwords set).

const t = (language: Language, en: string, fr: string) => (language === 'fr' ? fr : en);

export function registerLoginCommand(program: Command, deps: CommandDeps): void {
  const { asUser, language, print } = deps;
  program
    .command('login')
    .description(
      'check your login and password (--user, ECR_PASSWORD or a prompt) and hear of unread messages from the central server',
    )
    .action(() =>
      asUser(async (ctx, actor) => {
        const lang = language();
        const unread = await unreadCount(ctx.db);
        const role = roleOf(actor.privilege);
        print(
          [
            t(
              lang,
              `Logged in as ${actor.login} (${role}) at centre ${ctx.centre.matricule}.`,
              `Connecté en tant que ${actor.login} (${roleName(actor.privilege, 'fr')}) au centre ${ctx.centre.matricule}.`,
            ),
            unreadAnnouncement(unread, lang),
          ]
            .filter(Boolean)
            .join('\n'),
          { login: actor.login, role, matricule: ctx.centre.matricule, unreadMessages: unread },
        );
      }),
    );
}

export function registerUnlockCommand(user: Command, deps: CommandDeps): void {
  const { asUser, language, print } = deps;
  user
    .command('unlock <login>')
    .description('lift the lock that repeated wrong passwords put on a user, and clear the count (officer)')
    .action((login: string) =>
      asUser(async (ctx, actor) => {
        const before = await unlockUser(ctx.db, actor, login, { now: deps.now });
        const lang = language();
        print(
          before.lockedUntil
            ? t(
                lang,
                `${before.login} is unlocked (was locked until ${minute(before.lockedUntil)}).`,
                `${before.login} est déverrouillé (était verrouillé jusqu'à ${minute(before.lockedUntil)}).`,
              )
            : t(
                lang,
                `${before.login} was not locked; the count of wrong passwords is cleared.`,
                `${before.login} n'était pas verrouillé ; le compte des mots de passe erronés est remis à zéro.`,
              ),
          {
            login: before.login,
            wasLockedUntil: before.lockedUntil?.toISOString() ?? null,
            failedLogins: before.failedLogins,
          },
        );
      }),
    );
}
