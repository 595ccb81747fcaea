import { hashPassword } from '@xmcomm/pki';
import { audited } from '../audit.js';
import { access, handler, type XmCommand } from '../command.js';
import { type Context, formatTable, type Io } from '../context.js';
import { text } from '../messages.js';
import { revokeUserSessions, unlockOperator } from '../operator-auth.js';
import { readNewPassword } from '../passwords.js';
import {
  addUser,
  getUser,
  listUsers,
  parseLogin,
  parsePrivilege,
  type ServerUser,
  updateUser,
} from '../users.js';
import { enforceLimit } from './licence.js';

function newPassword(ctx: Context, file: string | undefined): Promise<string> {
  return readNewPassword({
    file,
    env: ctx.io.env,
    prompt: ctx.io.prompt,
    labels: { password: text('prompt.password', ctx.lang), confirm: text('prompt.confirm', ctx.lang) },
  });
}

const lockedCell = (user: ServerUser) => user.lockedUntil?.toISOString() ?? '';

function show(user: ServerUser) {
  return formatTable(
    ['login', 'name', 'privilege', 'must change password', 'failed logins', 'locked until', 'created'],
    [
      [
        user.login,
        user.displayName,
        user.privilege,
        user.mustChangePassword,
        user.failedLogins,
        lockedCell(user),
        user.createdAt.toISOString(),
      ],
    ],
  );
}

// Every user command is a supervisor's (privilege 3): who may do what is the server's first secret.
export function registerUser(program: XmCommand, io: Io): void {
  const user = program
    .command('user')
    .description(
      'server users: privilege 1 read-only, 2 operator, 3 supervisor; 0 suspended (supervisors only)',
    );

  user
    .command('add')
    .description('add a server user; the password comes from a prompt, XM_NEW_PASSWORD or --password-file')
    .argument('<login>', 'login name')
    .requiredOption('--privilege <n>', 'privilege 1 (read-only), 2 (operator) or 3 (supervisor)')
    .option('--name <text>', 'full name')
    .option('--password-file <path>', 'read the password from the first line of this file')
    .option('--temporary', 'the user must change it at first login')
    .requires(access.supervisor)
    .action(
      handler(
        io,
        async (
          ctx,
          loginArg: string,
          options: { privilege: string; name?: string; passwordFile?: string; temporary?: boolean },
        ) => {
          const login = parseLogin(loginArg);
          const privilege = parsePrivilege(options.privilege);
          const db = await ctx.database();
          // Validated and hashed before the transaction opens: nothing is written if any of it fails.
          const passwordHash = await hashPassword(await newPassword(ctx, options.passwordFile));
          const temporary = options.temporary === true;
          const created = await audited(db, ctx.operator, 'user.add', async (trx) => ({
            result: await enforceLimit(trx, 'users').then(() =>
              addUser(trx, {
                login,
                displayName: options.name,
                privilege,
                passwordHash,
                mustChangePassword: temporary,
              }),
            ),
            target: login,
            details: { privilege, temporary },
          }));
          ctx.print(created, () => text('user.added', ctx.lang, { login, privilege }));
        },
      ),
    );

  user
    .command('list')
    .description('list server users')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx) => {
        const users = await listUsers(await ctx.database());
        ctx.print(users, () =>
          formatTable(
            ['login', 'name', 'privilege', 'must change password', 'locked until'],
            users.map((u) => [u.login, u.displayName, u.privilege, u.mustChangePassword, lockedCell(u)]),
          ),
        );
      }),
    );

  user
    .command('show')
    .description('show one server user')
    .argument('<login>')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, login: string) => {
        const found = await getUser(await ctx.database(), parseLogin(login));
        ctx.print(found, () => show(found));
      }),
    );

  user
    .command('set-privilege')
    .description("change a user's privilege (1-3)")
    .argument('<login>')
    .argument('<privilege>')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, login: string, raw: string) => {
        const privilege = parsePrivilege(raw);
        const db = await ctx.database();
        const updated = await audited(db, ctx.operator, 'user.set-privilege', async (trx) => {
          const before = await getUser(trx, parseLogin(login));
          return {
            result: await updateUser(trx, login, { privilege }),
            target: login,
            details: { from: before.privilege, to: privilege },
          };
        });
        ctx.print(updated, () => text('user.privilege', ctx.lang, { login, privilege }));
      }),
    );

  user
    .command('passwd')
    .description(
      "set a user's password (prompt, XM_NEW_PASSWORD or --password-file); closes the user's sessions",
    )
    .argument('<login>')
    .option('--password-file <path>', 'read the password from the first line of this file')
    .option('--temporary', 'the user must change it at next login')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, login: string, options: { passwordFile?: string; temporary?: boolean }) => {
        const db = await ctx.database();
        await getUser(db, parseLogin(login));
        const passwordHash = await hashPassword(await newPassword(ctx, options.passwordFile));
        const updated = await audited(db, ctx.operator, 'user.passwd', async (trx) => {
          const result = await updateUser(trx, login, {
            passwordHash,
            mustChangePassword: options.temporary === true,
          });
          // Whoever held the old password may have opened a session with it.
          const sessions = await revokeUserSessions(trx, login);
          return { result, target: login, details: { temporary: options.temporary === true, sessions } };
        });
        ctx.print(updated, () => text('user.password', ctx.lang, { login }));
      }),
    );

  user
    .command('suspend')
    .description('suspend a user (privilege 0) and close its sessions; set-privilege restores one')
    .argument('<login>')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, login: string) => {
        const db = await ctx.database();
        const updated = await audited(db, ctx.operator, 'user.suspend', async (trx) => {
          const before = await getUser(trx, parseLogin(login));
          const result = await updateUser(trx, login, { privilege: 0 });
          const sessions = await revokeUserSessions(trx, login);
          return { result, target: login, details: { from: before.privilege, sessions } };
        });
        ctx.print(updated, () => text('user.suspended', ctx.lang, { login }));
      }),
    );

  user
    .command('unlock')
    .description('lift the lock that repeated wrong passwords put on a user, and clear the count')
    .argument('<login>')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, login: string) => {
        const db = await ctx.database();
        const before = await audited(db, ctx.operator, 'user.unlock', async (trx) => {
          const state = await unlockOperator(trx, parseLogin(login));
          return {
            result: state,
            target: login,
            details: {
              lockedUntil: state.lockedUntil?.toISOString() ?? null,
              failedLogins: state.failedLogins,
              lockouts: state.lockouts,
            },
          };
        });
        ctx.print({ login, wasLockedUntil: before.lockedUntil?.toISOString() ?? null }, () =>
          text('user.unlocked', ctx.lang, { login }),
        );
      }),
    );
}
