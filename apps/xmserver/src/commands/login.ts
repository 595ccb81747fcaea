import { cliOrigin, readLogin, readOwnPassword, sessionFileOf } from '../cli-identity.js';
import { access, handler, type XmCommand } from '../command.js';
import { withoutPassword } from '../config.js';
import type { Context, Io } from '../context.js';
import { XmServerError } from '../errors.js';
import { text } from '../messages.js';
import {
  changeOwnPassword,
  openSession,
  type Privilege,
  revokeSession,
  roleNames,
  verifyOperator,
} from '../operator-auth.js';
import { readNewPassword } from '../passwords.js';
import { readSessionFile, removeSessionFile, writeSessionFile } from '../session-file.js';

const minutes = (seconds: number) => Math.round(seconds / 60);

function role(privilege: number) {
  return roleNames[(privilege >= 1 && privilege <= 3 ? privilege : 1) as Privilege];
}

async function login(
  ctx: Context,
  options: { user?: string; newPasswordFile?: string; changePassword?: boolean },
) {
  const db = await ctx.database();
  const name = await readLogin(ctx, options.user);
  if (!name) {
    throw new XmServerError('invalid-argument', 'no login', {
      params: {
        name: '--user',
        value: '(none)',
        hint: 'Give --user, set XM_USER, or run from a terminal to be asked.',
        hintFr: "Donnez --user, définissez XM_USER, ou lancez depuis un terminal pour qu'il soit demandé.",
      },
    });
  }
  const password = await readOwnPassword(ctx);
  if (password === undefined) {
    throw new XmServerError('password-required', 'no password', {
      params: { variable: 'XM_PASSWORD', file: 'XM_PASSWORD_FILE' },
    });
  }
  let operator = await verifyOperator(db, name, password);
  if (operator.privilege < 1) {
    // openSession refuses it and writes the refusal to the audit log.
    await openSession(db, operator, { origin: cliOrigin() });
  }
  if (operator.mustChangePassword || options.changePassword) {
    const next = await readNewPassword({
      file: options.newPasswordFile,
      fileOption: '--new-password-file',
      env: ctx.io.env,
      prompt: ctx.io.prompt,
      labels: { password: text('prompt.new-password', ctx.lang), confirm: text('prompt.confirm', ctx.lang) },
    });
    operator = await changeOwnPassword(db, operator, password, next);
    if (!ctx.json) ctx.io.stderr.write(`${text('user.password', ctx.lang, { login: operator.login })}\n`);
  }
  const path = sessionFileOf(ctx);
  // A second login replaces the first: the older session is closed rather than left to expire.
  const previous = await readSessionFile(path).catch(() => undefined);
  if (previous) await revokeSession(db, previous.token);
  const opened = await openSession(db, operator, { origin: cliOrigin() });
  await writeSessionFile(path, {
    dataDir: ctx.config.dataDir,
    database: withoutPassword(ctx.config.databaseUrl),
    login: operator.login,
    token: opened.token,
    expiresAt: opened.session.expiresAt.toISOString(),
  });
  ctx.print(
    {
      login: operator.login,
      privilege: operator.privilege,
      expiresAt: opened.session.expiresAt.toISOString(),
      idleTimeoutSeconds: opened.session.idleTimeoutSeconds,
      sessionFile: path,
    },
    () =>
      text('login.done', ctx.lang, {
        login: operator.login,
        privilege: operator.privilege,
        until: opened.session.expiresAt.toISOString(),
        idle: minutes(opened.session.idleTimeoutSeconds),
      }),
  );
}

export function registerLogin(program: XmCommand, io: Io): void {
  program
    .command('login')
    .description(
      'open a session on this server: the password at the prompt or in XM_PASSWORD[_FILE]; a new one first when it must change (XM_NEW_PASSWORD, --new-password-file or the prompt)',
    )
    .option('--user <login>', 'who logs in (default $XM_USER, else asked)')
    .option('--new-password-file <path>', 'the new password, when one is needed: first line of this file')
    .option('--change-password', 'choose a new password now, even if the current one need not change')
    .requires(access.own('login: it is where the password is checked'))
    .action(
      handler(
        io,
        async (ctx, options: { user?: string; newPasswordFile?: string; changePassword?: boolean }) =>
          login(ctx, options),
      ),
    );

  program
    .command('logout')
    .description("close this server's session and delete its file")
    .requires(access.own('logout: closes whatever session is saved'))
    .action(
      handler(io, async (ctx) => {
        const path = sessionFileOf(ctx);
        const saved = await readSessionFile(path).catch(async () => {
          // An unsafe file (readable by others) is deleted all the same: its token is no longer secret.
          await removeSessionFile(path);
          return undefined;
        });
        if (!saved) {
          ctx.print({ loggedOut: false }, () => text('logout.none', ctx.lang));
          return;
        }
        await revokeSession(await ctx.database(), saved.token);
        await removeSessionFile(path);
        ctx.print({ loggedOut: true, login: saved.login }, () =>
          text('logout.done', ctx.lang, { login: saved.login }),
        );
      }),
    );

  program
    .command('whoami')
    .description('who this command runs as, with which privilege, and until when')
    .requires(access.readOnly)
    .action(
      handler(io, async (ctx) => {
        const operator = ctx.authenticated;
        if (!operator) return;
        const names = role(operator.privilege);
        const session = operator.session;
        ctx.print(
          {
            login: operator.login,
            name: operator.displayName,
            privilege: operator.privilege,
            role: names.en,
            session: session
              ? { expiresAt: session.expiresAt.toISOString(), idleTimeoutSeconds: session.idleTimeoutSeconds }
              : null,
          },
          () =>
            session
              ? text('whoami.session', ctx.lang, {
                  login: operator.login,
                  privilege: operator.privilege,
                  role: names.en,
                  roleFr: names.fr,
                  until: session.expiresAt.toISOString(),
                  idle: minutes(session.idleTimeoutSeconds),
                })
              : text('whoami.password', ctx.lang, {
                  login: operator.login,
                  privilege: operator.privilege,
                  role: names.en,
                  roleFr: names.fr,
                }),
        );
      }),
    );
}
