import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AccountAction,
  type AccountChange,
  type AccountOutcome,
  type BrokerClient,
  type BrokerRole,
  DynamicSecurityAdmin,
  siteAccount,
  siteRoleName,
} from '@xmcomm/mqtt-transport';
import { brokerFailure } from '../broker-errors.js';
import { access, handler, type XmCommand } from '../command.js';
import { readSecret } from '../config.js';
import { type Context, formatTable, type Io } from '../context.js';
import type { ServerDb } from '../database.js';
import { XmServerError } from '../errors.js';
import { text } from '../messages.js';

/** What the broker must know of one client, read from the server's register. */
export interface SiteAccess {
  readonly matricule: string;
  readonly status: number;
  /** The site had certificates and every one of them is revoked. */
  readonly revoked: boolean;
}

export interface SyncEntry {
  readonly matricule: string;
  readonly action: AccountAction;
  /** For `updated`: what was out of step and corrected (`disabled`, `enabled`, `acls`, ...). */
  readonly changes: readonly AccountChange[];
  /** For a created account: the file holding its new broker password (the password is never printed). */
  readonly passwordFile?: string;
}

export interface BrokerSyncOptions {
  /** The `{server}` topic segment. */
  readonly server: string;
  /** Only these clients (the hooks of `client add`, `client set-status`); all, and orphans, when absent. */
  readonly only?: readonly string[];
  readonly dryRun?: boolean;
  /** Where new sites' broker passwords are written, one 0600 file per matricule. */
  readonly passwordsDir: string;
}

/** Every client's access state; revoked means it had site certificates and none is left in force. */
export async function readSiteAccess(db: ServerDb, only?: readonly string[]): Promise<SiteAccess[]> {
  let query = db
    .selectFrom('xm_system.clients as c')
    .leftJoin('xm_system.certificates as k', (join) =>
      join.onRef('k.client_id', '=', 'c.id').on('k.purpose', '=', 'site'),
    )
    .select((eb) => [
      'c.matricule',
      'c.status',
      eb.fn.count<number>('k.id').as('certificates'),
      eb.fn.count<number>('k.revoked_at').as('revoked'),
    ])
    .groupBy(['c.id', 'c.matricule', 'c.status'])
    .orderBy('c.id');
  if (only && only.length > 0) query = query.where('c.matricule', 'in', [...only]);
  const rows = await query.execute();
  return rows.map((r) => ({
    matricule: r.matricule,
    status: r.status,
    revoked: Number(r.certificates) > 0 && Number(r.certificates) === Number(r.revoked),
  }));
}

/** What the broker holds: read once for a full sync, per client for a hook on a few. */
interface BrokerState {
  client(username: string): Promise<BrokerClient | null>;
  role(rolename: string): Promise<BrokerRole | null>;
  /** Every account, for orphans; only on a full sync. */
  readonly all?: readonly BrokerClient[];
}

async function readBrokerState(admin: DynamicSecurityAdmin, full: boolean): Promise<BrokerState> {
  if (!full) {
    return {
      client: async (username) => (await admin.getClient(username)) ?? null,
      role: async (rolename) => (await admin.getRole(rolename)) ?? null,
    };
  }
  const all = await admin.listClients();
  const clients = new Map(all.map((c) => [c.username, c]));
  const roles = new Map((await admin.listRoles()).map((r) => [r.rolename, r]));
  return {
    client: async (username) => clients.get(username) ?? null,
    role: async (rolename) => roles.get(rolename) ?? null,
    all,
  };
}

/**
 * Brings the broker's accounts in step with the register: a client with status 1-3 and a
 * certificate in force (or none issued yet) has an enabled account confined to its two topics;
 * a suspended client (status 0) has its account disabled, which the plugin enforces at once by
 * dropping the connection; a client whose certificates are all revoked, or an account for a
 * client the register no longer has, is deleted. An existing site account is checked whole
 * (role, ACLs, client id, enabled) and only what differs is sent, so a second run changes
 * nothing; its password is the site's and is left alone. Accounts other than this server's
 * site accounts (the administrator, the server's processes) are never touched.
 */
export async function syncBroker(
  db: ServerDb,
  admin: DynamicSecurityAdmin,
  options: BrokerSyncOptions,
): Promise<SyncEntry[]> {
  const { server } = options;
  const dryRun = options.dryRun === true;
  const sites = await readSiteAccess(db, options.only);
  const state = await readBrokerState(admin, !options.only);
  const isSiteAccount = (account: BrokerClient | null) =>
    account?.roles.includes(siteRoleName(server, account.username)) === true;
  const entries: SyncEntry[] = [];
  for (const site of sites) {
    const { matricule } = site;
    const account = await state.client(matricule);
    const present = isSiteAccount(account);
    if (account && !present) {
      // A broker account of the same name that is not ours (an operator's, another server's): leave it.
      entries.push({ matricule, action: 'unchanged', changes: [] });
      continue;
    }
    if (site.revoked) {
      const outcome = present
        ? await admin.deleteSite(server, matricule, { dryRun })
        : { action: 'absent' as const, changes: [] };
      entries.push({ matricule, action: outcome.action, changes: outcome.changes });
      continue;
    }
    const role = await state.role(siteRoleName(server, matricule));
    const enabled = site.status !== 0;
    if (!present && enabled) {
      if (dryRun) {
        entries.push({ matricule, action: 'created', changes: [] });
        continue;
      }
      const password = randomBytes(24).toString('base64url');
      const passwordFile = await writePassword(options.passwordsDir, matricule, password);
      const outcome = await admin.ensureAccount(siteAccount(server, matricule, { enabled, password }), {
        client: null,
        role,
      });
      entries.push({ matricule, action: outcome.action, changes: outcome.changes, passwordFile });
      continue;
    }
    // Without a password nothing is created: a suspended client with no account stays without.
    const outcome = await admin.ensureAccount(siteAccount(server, matricule, { enabled }), {
      client: account,
      role,
      dryRun,
    });
    entries.push({ matricule, action: outcome.action, changes: outcome.changes });
  }
  // A client named but no longer registered (`client delete`): its site account goes, as an orphan's would.
  const registered = new Set(sites.map((s) => s.matricule));
  for (const matricule of options.only ?? []) {
    if (registered.has(matricule)) continue;
    const account = await state.client(matricule);
    const outcome = isSiteAccount(account)
      ? await admin.deleteSite(server, matricule, { dryRun })
      : { action: 'absent' as const, changes: [] };
    entries.push({ matricule, action: outcome.action, changes: outcome.changes });
  }
  if (state.all) {
    const known = new Set(sites.map((s) => s.matricule));
    for (const account of state.all) {
      if (known.has(account.username) || !isSiteAccount(account)) continue;
      const outcome = await admin.deleteSite(server, account.username, { dryRun });
      entries.push({ matricule: account.username, action: outcome.action, changes: outcome.changes });
    }
  }
  return entries;
}

/** Written before the account exists, so a crash in between never leaves an account nobody knows the password of. */
async function writePassword(dir: string, matricule: string, password: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${matricule}.broker-password`);
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return file;
}

/** The administrator account of the broker's dynamic security plugin, from the environment only. */
export async function adminCredentials(
  env: NodeJS.ProcessEnv,
): Promise<{ username: string; password: string } | undefined> {
  const username = env.XM_BROKER_ADMIN_USERNAME;
  if (!username) return undefined;
  const password = await readSecret(env, 'XM_BROKER_ADMIN_PASSWORD');
  if (!password) {
    throw new XmServerError('config-invalid', 'no admin password', {
      params: {
        detail: 'XM_BROKER_ADMIN_USERNAME is set but neither XM_BROKER_ADMIN_PASSWORD nor its _FILE.',
      },
    });
  }
  return { username, password };
}

/** Connects as the plugin's administrator; a refusal says which step failed (unreachable, login). */
export async function connectAdmin(
  ctx: Context,
  url: string | undefined,
  credentials: { username: string; password: string },
): Promise<{ admin: DynamicSecurityAdmin; url: string }> {
  const target = url ?? ctx.io.env.XM_BROKER_ADMIN_URL ?? ctx.config.brokerUrl;
  if (!target) {
    throw new XmServerError('config-invalid', 'no broker', {
      params: { detail: 'no broker: set XM_BROKER_ADMIN_URL or XM_BROKER_URL, or give --url.' },
    });
  }
  try {
    const admin = await DynamicSecurityAdmin.connect({ url: target, ...credentials, timeoutMs: 10_000 });
    return { admin, url: target };
  } catch (cause) {
    throw brokerFailure(cause, {
      url: target,
      username: credentials.username,
      topic: '$CONTROL/dynamic-security/v1/response',
      hint: {
        en: 'Is XM_BROKER_ADMIN_USERNAME the dynamic security administrator, and is the plugin loaded?',
        fr: 'XM_BROKER_ADMIN_USERNAME est-il l’administrateur de la sécurité dynamique, et le module est-il chargé ?',
      },
    });
  }
}

const passwordsDirOf = (ctx: Context) => join(ctx.config.dataDir, 'broker-passwords');

/** The file holding a site's broker password, written when its account was created. */
export const brokerPasswordFile = (ctx: Context, matricule: string) =>
  join(passwordsDirOf(ctx), `${matricule}.broker-password`);

/** How an entry reads in a terminal: `updated (disabled, acls)`. */
function describeEntry(entry: { action: string; changes: readonly string[] }): string {
  return entry.changes.length > 0 ? `${entry.action} (${entry.changes.join(', ')})` : entry.action;
}

const changedAction = (action: string) => action !== 'unchanged' && action !== 'absent';

/**
 * The hook of `client add`, `client set-status`, `client delete` and `pki revoke`: when a broker administrator
 * account is configured (XM_BROKER_ADMIN_USERNAME), the broker follows the change now; without one
 * it does nothing and `broker sync` must follow. The register's change is already committed: if
 * the broker cannot be reached the command fails with 75 and says so, and `broker sync` repairs it.
 */
export async function followBroker(ctx: Context, only?: readonly string[]): Promise<SyncEntry[] | undefined> {
  const credentials = await adminCredentials(ctx.io.env);
  if (!credentials) return undefined;
  let url = ctx.io.env.XM_BROKER_ADMIN_URL ?? ctx.config.brokerUrl ?? 'broker';
  try {
    const connected = await connectAdmin(ctx, undefined, credentials);
    url = connected.url;
    const { admin } = connected;
    try {
      const entries = await syncBroker(await ctx.database(), admin, {
        server: ctx.config.serverName,
        passwordsDir: passwordsDirOf(ctx),
        ...(only ? { only } : {}),
      });
      for (const entry of entries)
        if (changedAction(entry.action))
          ctx.io.stderr.write(
            `broker: ${entry.matricule} ${describeEntry(entry)}${entry.passwordFile ? ` (password in ${entry.passwordFile})` : ''}\n`,
          );
      return entries;
    } finally {
      await admin.close();
    }
  } catch (cause) {
    ctx.io.stderr.write(`${text('broker.follow.saved', ctx.lang)}\n`);
    throw brokerFailure(cause, { url, username: credentials.username });
  }
}

/** What `broker sync --server-account` reports of the service's own account. */
export interface ServerAccountEntry extends AccountOutcome {
  readonly kind: 'server';
}

export function registerBrokerSync(broker: XmCommand, io: Io): void {
  broker
    .command('sync')
    .description(
      "push site accounts and access rules to Mosquitto's dynamic security plugin: status 1-3 enabled, 0 disabled, revoked deleted; only what differs is sent (admin account in XM_BROKER_ADMIN_USERNAME, XM_BROKER_ADMIN_PASSWORD[_FILE])",
    )
    .option('--url <url>', 'the broker (default $XM_BROKER_ADMIN_URL, then the configured broker)')
    .option('--dry-run', 'say what would change, change nothing')
    .option(
      '--server-account',
      "also create the server processes' account, or bring it in step (XM_BROKER_USERNAME, XM_BROKER_PASSWORD[_FILE])",
    )
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, options: { url?: string; dryRun?: boolean; serverAccount?: boolean }) => {
        const credentials = await adminCredentials(ctx.io.env);
        if (!credentials) {
          throw new XmServerError('config-invalid', 'no admin account', {
            params: {
              detail:
                'broker sync needs the dynamic security administrator: set XM_BROKER_ADMIN_USERNAME and XM_BROKER_ADMIN_PASSWORD or XM_BROKER_ADMIN_PASSWORD_FILE.',
            },
          });
        }
        const dryRun = options.dryRun === true;
        let serverAccount: { username: string; password: string } | undefined;
        if (options.serverAccount) {
          const username = ctx.io.env.XM_BROKER_USERNAME;
          const password = await readSecret(ctx.io.env, 'XM_BROKER_PASSWORD');
          if (!username || !password) {
            throw new XmServerError('config-invalid', 'no server account', {
              params: {
                detail: '--server-account needs XM_BROKER_USERNAME and XM_BROKER_PASSWORD[_FILE].',
              },
            });
          }
          serverAccount = { username, password };
        }
        const db = await ctx.database();
        const { admin, url } = await connectAdmin(ctx, options.url, credentials);
        try {
          const server: ServerAccountEntry | null = serverAccount
            ? {
                kind: 'server',
                ...(await admin.provisionServer(
                  ctx.config.serverName,
                  serverAccount.username,
                  serverAccount.password,
                  'xmserver',
                  { dryRun },
                )),
              }
            : null;
          const entries = await syncBroker(db, admin, {
            server: ctx.config.serverName,
            passwordsDir: passwordsDirOf(ctx),
            dryRun,
          });
          const changed =
            entries.filter((e) => changedAction(e.action)).length +
            (server && changedAction(server.action) ? 1 : 0);
          ctx.print(
            { server: ctx.config.serverName, dryRun, changed, serverAccount: server, sites: entries },
            () =>
              [
                formatTable(
                  ['account', 'kind', 'action', 'password file'],
                  [
                    ...(server ? [[server.username, 'server', describeEntry(server), '']] : []),
                    ...entries.map((e) => [e.matricule, 'site', describeEntry(e), e.passwordFile ?? '']),
                  ],
                ),
                text(dryRun ? 'broker.sync.planned' : 'broker.sync.done', ctx.lang, { changed }),
              ].join('\n'),
          );
        } catch (cause) {
          throw brokerFailure(cause, { url, username: credentials.username });
        } finally {
          await admin.close();
        }
      }),
    );
}
