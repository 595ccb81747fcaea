import type { Command } from 'commander';
import type { FileSettings } from './config.js';
import { Context, type GlobalOptions, type Io } from './context.js';

/**
 * Wraps a command body: builds the context from the global and local options, runs the body and
 * always closes the database, so no command leaves a connection or an embedded database open.
 */
export function handler<A extends unknown[]>(
  io: Io,
  body: (ctx: Context, ...args: A) => Promise<void>,
  extraFlags?: (options: Record<string, unknown>) => FileSettings,
) {
  return async (...raw: unknown[]): Promise<void> => {
    const command = raw[raw.length - 1] as Command;
    const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    const ctx = await Context.create(io, options, extraFlags?.(options));
    try {
      // Commander passes (arguments..., local options, command): the body sees global options too.
      const args = raw.slice(0, -1);
      args[args.length - 1] = { ...options, ...(args[args.length - 1] as object) };
      await body(ctx, ...(args as A));
    } finally {
      await ctx.close();
    }
  };
}
