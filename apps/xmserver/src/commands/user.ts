import type { Command } from 'commander';
import { audited } from '../audit.js';
import { handler } from '../command.js';
import { type Context, formatTable, type Io } from '../context.js';
import { text } from '../messages.js';
import { hashPassword, readNewPassword } from '../passwords.js';
import {
  addUser,
  demoUser,
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

function show(user: ServerUser) {
  return formatTable(
    ['login', 'name', 'privilege', 'must change password', 'created'],
    [[user.login, user.displayName, user.privilege, user.mustChangePassword, user.createdAt.toISOString()]],
  );
}

export function registerUser(program: Command, io: Io): void {
  const user = program.command('user').description('server users (privilege 1-3; 0 is suspended)');

  user
    .command('add')
    .description('add a server user; the password comes from a prompt, XM_PASSWORD or --password-file')
    .argument('[login]', 'login name')
    .option('--privilege <n>', 'privilege 1, 2 or 3 (3: supervisor)', '3')
    .option('--name <text>', 'full name')
    .option('--password-file <path>', 'read the password from the first line of this file')
    .option('--demo', `seed the trial user ${demoUser.login}, who must change its password at first use`)
    .action(
      handler(
        io,
        async (
          ctx,
          loginArg: string | undefined,
          options: { privilege: string; name?: string; passwordFile?: string; demo?: boolean },
        ) => {
          const demo = options.demo === true;
          const login = parseLogin(demo ? demoUser.login : (loginArg ?? ''));
          const privilege = demo ? demoUser.privilege : parsePrivilege(options.privilege);
          const db = await ctx.database();
          // Validated and hashed before the transaction opens: nothing is written if any of it fails.
          const password = demo ? demoUser.password : await newPassword(ctx, options.passwordFile);
          const passwordHash = await hashPassword(password);
          const created = await audited(db, ctx.operator, 'user.add', async (trx) => ({
            result: await enforceLimit(trx, 'users').then(() =>
              addUser(trx, {
                login,
                displayName: demo ? demoUser.displayName : options.name,
                privilege,
                passwordHash,
                mustChangePassword: demo,
              }),
            ),
            target: login,
            details: { privilege, demo },
          }));
          ctx.print(created, () => text('user.added', ctx.lang, { login, privilege }));
        },
      ),
    );

  user
    .command('list')
    .description('list server users')
    .action(
      handler(io, async (ctx) => {
        const users = await listUsers(await ctx.database());
        ctx.print(users, () =>
          formatTable(
            ['login', 'name', 'privilege', 'must change password'],
            users.map((u) => [u.login, u.displayName, u.privilege, u.mustChangePassword]),
          ),
        );
      }),
    );

  user
    .command('show')
    .description('show one server user')
    .argument('<login>')
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
    .description("set a user's password (prompt, XM_PASSWORD or --password-file)")
    .argument('<login>')
    .option('--password-file <path>', 'read the password from the first line of this file')
    .option('--temporary', 'the user must change it at next use')
    .action(
      handler(io, async (ctx, login: string, options: { passwordFile?: string; temporary?: boolean }) => {
        const db = await ctx.database();
        await getUser(db, parseLogin(login));
        const passwordHash = await hashPassword(await newPassword(ctx, options.passwordFile));
        const updated = await audited(db, ctx.operator, 'user.passwd', async (trx) => ({
          result: await updateUser(trx, login, {
            passwordHash,
            mustChangePassword: options.temporary === true,
          }),
          target: login,
          details: { temporary: options.temporary === true },
        }));
        ctx.print(updated, () => text('user.password', ctx.lang, { login }));
      }),
    );

  user
    .command('suspend')
    .description('suspend a user (privilege 0); set-privilege restores one')
    .argument('<login>')
    .action(
      handler(io, async (ctx, login: string) => {
        const db = await ctx.database();
        const updated = await audited(db, ctx.operator, 'user.suspend', async (trx) => {
          const before = await getUser(trx, parseLogin(login));
          return {
            result: await updateUser(trx, login, { privilege: 0 }),
            target: login,
            details: { from: before.privilege },
          };
        });
        ctx.print(updated, () => text('user.suspended', ctx.lang, { login }));
      }),
    );
}
