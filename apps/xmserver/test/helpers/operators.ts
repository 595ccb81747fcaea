import type { Outcome } from './run.js';

// How the tests authenticate: as an installation script and then an operator's scripts do, with
// the passwords in the environment (XM_NEW_PASSWORD, XM_USER, XM_PASSWORD), never in an argument.

/** Runs one xmserver command with extra environment (each test file binds its data directory and database). */
export type Runner = (argv: readonly string[], env?: NodeJS.ProcessEnv) => Promise<Outcome>;

/** The first supervisor `init` creates, its initial password, and the one it chooses at first login. */
export const supervisor = {
  login: 'admin',
  initialPassword: 'initial supervisor password',
  password: 'the supervisor password',
} as const;

/** The environment a script acting as the supervisor runs with. */
export const asSupervisor: NodeJS.ProcessEnv = {
  XM_USER: supervisor.login,
  XM_PASSWORD: supervisor.password,
};

function check(what: string, outcome: Outcome): Outcome {
  if (outcome.code !== 0)
    throw new Error(`${what} exited ${outcome.code}: ${outcome.stderr}${outcome.stdout}`);
  return outcome;
}

/**
 * A fresh server as an installation script leaves it: `init` (the first supervisor's initial
 * password in XM_NEW_PASSWORD), then the supervisor's first `login`, which must set a new
 * password. Returns the environment the supervisor's scripts then authenticate with (with
 * `keepSession`, the saved session serves instead, as for an operator who logged in).
 */
export async function initialiseServer(
  run: Runner,
  options: { readonly initArgs?: readonly string[]; readonly keepSession?: boolean } = {},
): Promise<NodeJS.ProcessEnv> {
  check(
    'init',
    await run(['init', ...(options.initArgs ?? [])], { XM_NEW_PASSWORD: supervisor.initialPassword }),
  );
  check(
    'first login',
    await run(['login'], {
      XM_USER: supervisor.login,
      XM_PASSWORD: supervisor.initialPassword,
      XM_NEW_PASSWORD: supervisor.password,
    }),
  );
  // Scripts authenticate each command with XM_USER and XM_PASSWORD: the session is closed, unless
  // the test acts as an operator at a terminal, who works in the session `login` saved.
  if (!options.keepSession) check('logout', await run(['logout'], asSupervisor));
  return asSupervisor;
}

/** Adds a user at `privilege` as the supervisor; returns the environment that user's scripts run with. */
export async function addOperator(
  run: Runner,
  login: string,
  privilege: 1 | 2 | 3,
): Promise<NodeJS.ProcessEnv> {
  const password = `${login} password 1`;
  check(
    `user add ${login}`,
    await run(['user', 'add', login, '--privilege', String(privilege)], {
      ...asSupervisor,
      XM_NEW_PASSWORD: password,
    }),
  );
  return { XM_USER: login, XM_PASSWORD: password };
}
