import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamicSecurityAdmin, siteRoleName } from '@xmcomm/mqtt-transport';
import { access, handler, type XmCommand } from '../command.js';
import { readSecret } from '../config.js';
import { type Context, formatTable, type Io } from '../context.js';
import type { ServerDb } from '../database.js';
import { XmServerError } from '../errors.js';

/** What the broker must know of one client, read from the server's register. */
export interface SiteAccess {
  readonly matricule: string;
  readonly status: number;
  /** The site had certificates and every one of them is revoked. */
  readonly revoked: boolean;
}

/** What the plugin says of one of the accounts it holds. */
interface BrokerAccount {
  readonly username: string;
  readonly disabled: boolean;
  readonly roles: readonly string[];
}

export type SyncAction = 'created' | 'enabled' | 'disabled' | 'deleted' | 'unchanged' | 'absent';

export interface SyncEntry {
  readonly matricule: string;
  readonly action: SyncAction;
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

async function listAccounts(admin: DynamicSecurityAdmin): Promise<Map<string, BrokerAccount>> {
  const [answer] = await admin.run([{ command: 'listClients', verbose: true, count: -1, offset: 0 }]);
  if (!answer || answer.error !== undefined) {
    throw new XmServerError('broker-unreachable', 'listClients refused', {
      params: { url: 'dynamic security', detail: `listClients: ${answer?.error ?? 'no answer'}` },
    });
  }
  const clients = (answer.data as { clients?: unknown } | undefined)?.clients;
  const accounts = new Map<string, BrokerAccount>();
  if (!Array.isArray(clients)) return accounts;
  for (const raw of clients as { username?: unknown; disabled?: unknown; roles?: unknown }[]) {
    if (typeof raw.username !== 'string') continue;
    const roles = Array.isArray(raw.roles)
      ? (raw.roles as { rolename?: unknown }[]).flatMap((r) =>
          typeof r.rolename === 'string' ? [r.rolename] : [],
        )
      : [];
    accounts.set(raw.username, { username: raw.username, disabled: raw.disabled === true, roles });
  }
  return accounts;
}

/**
 * Brings the broker's accounts in step with the register: a client with status 1-3 and a
 * certificate in force (or none issued yet) has an enabled account confined to its two topics;
 * a suspended client (status 0) has its account disabled, which the plugin enforces at once by
 * dropping the connection; a client whose certificates are all revoked, or an account for a
 * client the register no longer has, is deleted. Accounts other than this server's site accounts
 * (the administrator, the server's processes) are never touched.
 */
export async function syncBroker(
  db: ServerDb,
  admin: DynamicSecurityAdmin,
  options: BrokerSyncOptions,
): Promise<SyncEntry[]> {
  const sites = await readSiteAccess(db, options.only);
  const accounts = await listAccounts(admin);
  const isSiteAccount = (account: BrokerAccount | undefined) =>
    account?.roles.includes(siteRoleName(options.server, account.username)) === true;
  const entries: SyncEntry[] = [];
  for (const site of sites) {
    const account = accounts.get(site.matricule);
    const present = isSiteAccount(account);
    if (account && !present) {
      // A broker account of the same name that is not ours (an operator's, another server's): leave it.
      entries.push({ matricule: site.matricule, action: 'unchanged' });
      continue;
    }
    if (site.revoked) {
      if (present && !options.dryRun) await admin.deleteSite(options.server, site.matricule);
      entries.push({ matricule: site.matricule, action: present ? 'deleted' : 'absent' });
    } else if (site.status === 0) {
      const action: SyncAction = !present ? 'absent' : account?.disabled ? 'unchanged' : 'disabled';
      if (action === 'disabled' && !options.dryRun) await admin.disableSite(site.matricule);
      entries.push({ matricule: site.matricule, action });
    } else if (!present) {
      if (options.dryRun) {
        entries.push({ matricule: site.matricule, action: 'created' });
        continue;
      }
      const password = randomBytes(24).toString('base64url');
      const passwordFile = await writePassword(options.passwordsDir, site.matricule, password);
      await admin.provisionSite(options.server, site.matricule, password);
      entries.push({ matricule: site.matricule, action: 'created', passwordFile });
    } else if (account?.disabled) {
      if (!options.dryRun) await admin.enableSite(site.matricule);
      entries.push({ matricule: site.matricule, action: 'enabled' });
    } else entries.push({ matricule: site.matricule, action: 'unchanged' });
  }
  if (!options.only) {
    const known = new Set(sites.map((s) => s.matricule));
    for (const account of accounts.values()) {
      if (known.has(account.username) || !isSiteAccount(account)) continue;
      if (!options.dryRun) await admin.deleteSite(options.server, account.username);
      entries.push({ matricule: account.username, action: 'deleted' });
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

async function connectAdmin(
  ctx: Context,
  url: string | undefined,
  credentials: { username: string; password: string },
): Promise<DynamicSecurityAdmin> {
  const target = url ?? ctx.io.env.XM_BROKER_ADMIN_URL ?? ctx.config.brokerUrl;
  if (!target) {
    throw new XmServerError('config-invalid', 'no broker', {
      params: { detail: 'no broker: set XM_BROKER_ADMIN_URL or XM_BROKER_URL, or give --url.' },
    });
  }
  try {
    return await DynamicSecurityAdmin.connect({ url: target, ...credentials, timeoutMs: 10_000 });
  } catch (cause) {
    throw new XmServerError('broker-unreachable', 'admin connect failed', {
      cause,
      params: { url: target, detail: cause instanceof Error ? cause.message : String(cause) },
    });
  }
}

const passwordsDirOf = (ctx: Context) => join(ctx.config.dataDir, 'broker-passwords');

/**
 * The hook of `client add`, `client set-status` and `pki revoke`: when a broker administrator
 * account is configured (XM_BROKER_ADMIN_USERNAME), the broker follows the change now; without one
 * it does nothing and `broker sync` must follow. The register's change is already committed: if
 * the broker cannot be reached the command fails with 75 and says so, and `broker sync` repairs it.
 */
export async function followBroker(ctx: Context, only?: readonly string[]): Promise<SyncEntry[] | undefined> {
  const credentials = await adminCredentials(ctx.io.env);
  if (!credentials) return undefined;
  try {
    const admin = await connectAdmin(ctx, undefined, credentials);
    try {
      const entries = await syncBroker(await ctx.database(), admin, {
        server: ctx.config.serverName,
        passwordsDir: passwordsDirOf(ctx),
        ...(only ? { only } : {}),
      });
      for (const entry of entries)
        if (entry.action !== 'unchanged' && entry.action !== 'absent')
          ctx.io.stderr.write(
            `broker: ${entry.matricule} ${entry.action}${entry.passwordFile ? ` (password in ${entry.passwordFile})` : ''}\n`,
          );
      return entries;
    } finally {
      await admin.close();
    }
  } catch (cause) {
    throw new XmServerError('broker-unreachable', 'broker not updated', {
      cause,
      params: {
        url: ctx.io.env.XM_BROKER_ADMIN_URL ?? ctx.config.brokerUrl ?? 'broker',
        detail: `${cause instanceof Error ? cause.message : String(cause)}. The change is saved; run "xmserver broker sync" once the broker is back.`,
      },
    });
  }
}

export function registerBrokerSync(broker: XmCommand, io: Io): void {
  broker
    .command('sync')
    .description(
      "push site accounts and access rules to Mosquitto's dynamic security plugin: status 1-3 enabled, 0 disabled, revoked deleted (admin account in XM_BROKER_ADMIN_USERNAME, XM_BROKER_ADMIN_PASSWORD[_FILE])",
    )
    .option('--url <url>', 'the broker (default $XM_BROKER_ADMIN_URL, then the configured broker)')
    .option('--dry-run', 'say what would change, change nothing')
    .option(
      '--server-account',
      "also create or reset the server processes' account (XM_BROKER_USERNAME, XM_BROKER_PASSWORD[_FILE])",
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
        const db = await ctx.database();
        const admin = await connectAdmin(ctx, options.url, credentials);
        try {
          if (options.serverAccount && !options.dryRun) {
            const username = ctx.io.env.XM_BROKER_USERNAME;
            const password = await readSecret(ctx.io.env, 'XM_BROKER_PASSWORD');
            if (!username || !password) {
              throw new XmServerError('config-invalid', 'no server account', {
                params: {
                  detail: '--server-account needs XM_BROKER_USERNAME and XM_BROKER_PASSWORD[_FILE].',
                },
              });
            }
            await admin.provisionServer(ctx.config.serverName, username, password);
          }
          const entries = await syncBroker(db, admin, {
            server: ctx.config.serverName,
            passwordsDir: passwordsDirOf(ctx),
            dryRun: options.dryRun === true,
          });
          const changed = entries.filter((e) => e.action !== 'unchanged' && e.action !== 'absent').length;
          ctx.print(
            { server: ctx.config.serverName, dryRun: options.dryRun === true, changed, sites: entries },
            () =>
              [
                formatTable(
                  ['matricule', 'action', 'password file'],
                  entries.map((e) => [e.matricule, e.action, e.passwordFile ?? '']),
                ),
                `${changed} change(s)${options.dryRun ? ' (dry run: nothing done)' : ''}.`,
              ].join('\n'),
          );
        } catch (cause) {
          if (XmServerError.isInstance(cause)) throw cause;
          throw new XmServerError('broker-unreachable', 'broker sync failed', {
            cause,
            params: {
              url: options.url ?? 'broker',
              detail: cause instanceof Error ? cause.message : String(cause),
            },
          });
        } finally {
          await admin.close();
        }
      }),
    );
}
