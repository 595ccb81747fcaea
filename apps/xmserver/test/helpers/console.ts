import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase, type TestDatabase } from '@xmcomm/schema/testing';
import type { WebApp } from '@xmcomm/web-kit';
import { type ConsoleOptions, type ConsoleUser, createConsole } from '../../src/console/app.js';
import { addOperator, asSupervisor, initialiseServer, supervisor } from './operators.js';
import { runInProcess } from './run.js';

/** A server with a supervisor, an operator, a read-only user, a suspended one and one to lock out. */
export interface ConsoleFixture {
  readonly database: TestDatabase<ServerDatabase>;
  readonly dataDir: string;
  readonly web: WebApp<ConsoleUser>;
  readonly logLines: string[];
  readonly passwords: Readonly<Record<'admin' | 'clerk' | 'reader' | 'gone' | 'locky', string>>;
  /** Runs xmserver as the supervisor's scripts do. */
  run(argv: readonly string[], env?: NodeJS.ProcessEnv): ReturnType<typeof runInProcess>;
  /** The audit log's entries of an action, by one operator or all. */
  audit(action: string, operator?: string): ReturnType<typeof auditEntries>;
  close(): Promise<void>;
}

const auditEntries = (database: TestDatabase<ServerDatabase>, action: string, operator?: string) =>
  database.db
    .selectFrom('xm_system.audit_log')
    .selectAll()
    .where('action', '=', action)
    .$if(operator !== undefined, (q) => q.where('operator', '=', operator as string))
    .execute();

export async function createConsoleFixture(options: Partial<ConsoleOptions> = {}): Promise<ConsoleFixture> {
  const database = await createTestDatabase<ServerDatabase>();
  const dataDir = await mkdtemp(join(tmpdir(), 'xms-console-'));
  const run = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) =>
    runInProcess(['--data-dir', dataDir, ...argv], {
      database: database.db,
      env: { ...asSupervisor, ...env },
    });
  await initialiseServer(run);
  const users = {
    clerk: await addOperator(run, 'clerk', 2),
    reader: await addOperator(run, 'reader', 1),
    gone: await addOperator(run, 'gone', 2),
    locky: await addOperator(run, 'locky', 1),
  };
  const suspended = await run(['user', 'suspend', 'gone']);
  if (suspended.code !== 0) throw new Error(suspended.stderr);
  const logLines: string[] = [];
  const web = await createConsole({
    db: database.db,
    env: {},
    cwd: dataDir,
    globalArgs: ['--data-dir', dataDir],
    logger: { level: 'warn', stream: { write: (line) => void logLines.push(line) } },
    ...options,
  });
  await web.fastify.ready();
  const password = (env: NodeJS.ProcessEnv) => env.XM_PASSWORD ?? '';
  return {
    database,
    dataDir,
    web,
    logLines,
    passwords: {
      admin: supervisor.password,
      clerk: password(users.clerk),
      reader: password(users.reader),
      gone: password(users.gone),
      locky: password(users.locky),
    },
    run,
    audit: (action, operator) => auditEntries(database, action, operator),
    async close() {
      await web.fastify.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Session {
  cookie: string;
  csrf: string;
}

const cookieNamed = (headers: Record<string, unknown>, name: string) =>
  (
    [headers['set-cookie']].flat().find((c) => typeof c === 'string' && c.startsWith(`${name}=`)) as
      | string
      | undefined
  )?.split(';')[0] ?? '';
export const csrfIn = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

/** Posts the login form as a browser would (pre-session cookie and its CSRF token). */
export async function postLogin(
  web: WebApp<ConsoleUser>,
  login: string,
  password: string,
  extra: Record<string, string> = {},
) {
  const first = await web.fastify.inject({
    method: 'GET',
    url: '/login',
    headers: { 'accept-language': 'en' },
  });
  const pre = cookieNamed(first.headers, 'xm_pre');
  const response = await web.fastify.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: pre, 'accept-language': 'en' },
    payload: { _csrf: csrfIn(first.body), login, password, ...extra },
  });
  return { response, cookie: cookieNamed(response.headers, 'xm_session') };
}

export async function logIn(web: WebApp<ConsoleUser>, login: string, password: string): Promise<Session> {
  const { response, cookie } = await postLogin(web, login, password);
  if (response.statusCode !== 303 || !cookie)
    throw new Error(`login ${login}: ${response.statusCode} ${response.body}`);
  const home = await web.fastify.inject({ method: 'GET', url: '/', headers: { cookie } });
  return { cookie, csrf: csrfIn(home.body) };
}

export const get = (web: WebApp<ConsoleUser>, session: Session | undefined, url: string, language = 'en') =>
  web.fastify.inject({
    method: 'GET',
    url,
    headers: { ...(session ? { cookie: session.cookie } : {}), 'accept-language': language },
  });

export const post = (
  web: WebApp<ConsoleUser>,
  session: Session,
  url: string,
  payload: Record<string, string> = {},
) =>
  web.fastify.inject({
    method: 'POST',
    url,
    headers: { cookie: session.cookie, 'accept-language': 'en' },
    payload: { _csrf: session.csrf, ...payload },
  });

/** Posts a multipart form with one file, as a browser's file input does. */
export function postFile(
  web: WebApp<ConsoleUser>,
  session: Session,
  url: string,
  file: { readonly field: string; readonly filename: string; readonly content: string | Buffer },
  fields: Record<string, string> = { _csrf: session.csrf },
) {
  const boundary = `----xmtest${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    Buffer.from(file.content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return web.fastify.inject({
    method: 'POST',
    url,
    headers: {
      cookie: session.cookie,
      'accept-language': 'en',
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    payload: Buffer.concat(parts),
  });
}
