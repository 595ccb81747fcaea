import { Command } from 'commander';
import type { FileSettings } from './config.js';
import { Context, type GlobalOptions, type Io } from './context.js';
import { XmServerError } from './errors.js';
import type { Privilege } from './operator-auth.js';

/**
 * Who may run a command, declared once where the command is registered and enforced before its
 * body runs: an authenticated operator of at least some privilege, or nobody at all for the few
 * commands that prove themselves otherwise, or the command's own handling (login, init).
 */
export type Access =
  | {
      readonly kind: 'operator';
      /** A fixed level, or one that depends on the options (`report --grant-role` is a supervisor's). */
      readonly privilege: Privilege | ((options: Readonly<Record<string, unknown>>) => Privilege);
    }
  | { readonly kind: 'none'; readonly why: string }
  | { readonly kind: 'own'; readonly why: string };

export const access = {
  /** Lists, show, statements, monitor, reports, the audit log, licence show. */
  readOnly: { kind: 'operator', privilege: 1 },
  /** Clients, their status, credit, bills, profile and messages. */
  operator: { kind: 'operator', privilege: 2 },
  /** Users, the PKI and certificates, the licence, broker provisioning. */
  supervisor: { kind: 'operator', privilege: 3 },
  byOptions: (privilege: (options: Readonly<Record<string, unknown>>) => Privilege): Access => ({
    kind: 'operator',
    privilege,
  }),
  /** No operator: the command reads and changes nothing an operator owns, or proves itself otherwise. */
  none: (why: string): Access => ({ kind: 'none', why }),
  /** The body authenticates by itself (login, logout, init). */
  own: (why: string): Access => ({ kind: 'own', why }),
} as const satisfies Record<string, Access | ((...args: never[]) => Access)>;

/**
 * xmserver's commands: commander's, plus the access each one declares where it is registered
 * (`.requires(access.operator)` before `.action(handler(…))`). A command that declares none
 * never runs: `handler` refuses it, so forgetting a declaration fails closed.
 */
export class XmCommand extends Command {
  #access: Access | undefined;

  /** Who may run this command, checked by `handler` before its body. */
  requires(rule: Access): this {
    this.#access = rule;
    return this;
  }

  get access(): Access | undefined {
    return this.#access;
  }

  override createCommand(name?: string): XmCommand {
    return new XmCommand(name);
  }
}

/** `client credit`: the command's words without the program's name, as the audit log records it. */
export function commandPath(command: Command): string {
  const words: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) {
    words.unshift(current.name());
  }
  return words.join(' ');
}

/**
 * Wraps a command body: builds the context from the global and local options, authenticates the
 * operator and checks the privilege the command `requires`, runs the body, and always closes the
 * database, so no command leaves a connection or an embedded database open.
 */
export function handler<A extends unknown[]>(
  io: Io,
  body: (ctx: Context, ...args: A) => Promise<void>,
  extraFlags?: (options: Record<string, unknown>) => FileSettings,
) {
  return async (...raw: unknown[]): Promise<void> => {
    const command = raw[raw.length - 1] as Command;
    const rule = command instanceof XmCommand ? command.access : undefined;
    if (!rule) {
      throw new XmServerError('internal', 'no access declared', {
        params: { detail: `"${commandPath(command)}" declares no access; it is not run.` },
      });
    }
    const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    const ctx = await Context.create(io, options, extraFlags?.(options));
    try {
      // Commander passes (arguments..., local options, command): the body sees global options too.
      const args = raw.slice(0, -1);
      args[args.length - 1] = { ...options, ...(args[args.length - 1] as object) };
      if (rule.kind === 'operator') {
        const required =
          typeof rule.privilege === 'function'
            ? rule.privilege(args[args.length - 1] as Record<string, unknown>)
            : rule.privilege;
        await ctx.requireOperator(required, commandPath(command));
      }
      await body(ctx, ...(args as A));
    } finally {
      await ctx.close();
    }
  };
}
