import { pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { type BrokerOptions, closeConnection, openConnection, subscribeQos1 } from './connection.js';
import { TransportError } from './errors.js';
import { downTopic, sharedUpSubscription, upTopic, upWildcard, validateName } from './topics.js';

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
const RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response';

/** One command of Mosquitto's dynamic security plugin, as its JSON API spells it. */
export type DynamicSecurityCommand = { command: string } & Record<string, unknown>;

export interface DynamicSecurityResponse {
  command: string;
  error?: string;
  data?: unknown;
}

export type AclType =
  | 'publishClientSend'
  | 'publishClientReceive'
  | 'subscribeLiteral'
  | 'subscribePattern'
  | 'unsubscribeLiteral'
  | 'unsubscribePattern';

export interface Acl {
  acltype: AclType;
  topic: string;
  allow: boolean;
  priority?: number;
}

/** The role that confines one site to its own two topics. */
export function siteRoleName(server: string, matricule: string): string {
  return `xm-${server}-site-${matricule}`;
}

export function serverRoleName(server: string): string {
  return `xm-${server}-server`;
}

/** The account and role `xmserver broker test` provisions for itself. */
export function testAccountName(server: string): string {
  return `xm-${server}-test`;
}

/** The topics of the test account: `xm/test/{server}/{anything}`, one level, nothing else. */
export function testTopic(server: string, run: string): string {
  named(server, run);
  return `xm/test/${server}/${run}`;
}

/** A site may send on its up topic, and subscribe to and receive its down topic; nothing else. */
export function siteAcls(server: string, matricule: string): Acl[] {
  return [
    { acltype: 'publishClientSend', topic: upTopic(server, matricule), allow: true },
    { acltype: 'subscribeLiteral', topic: downTopic(server, matricule), allow: true },
    { acltype: 'publishClientReceive', topic: downTopic(server, matricule), allow: true },
  ];
}

/** The server's processes read every up topic through the shared group and write every down topic. */
export function serverAcls(server: string, group = 'xmserver'): Acl[] {
  return [
    { acltype: 'subscribeLiteral', topic: sharedUpSubscription(server, group), allow: true },
    { acltype: 'publishClientReceive', topic: upWildcard(server), allow: true },
    { acltype: 'publishClientSend', topic: `xm/v1/${server}/down/+`, allow: true },
  ];
}

/** The filter of every test topic of a server: what the test account is allowed. */
export function testTopicFilter(server: string): string {
  named(server);
  return `xm/test/${server}/+`;
}

/** The test account may send, subscribe to and receive `xm/test/{server}/+`, and nothing else. */
export function testAcls(server: string): Acl[] {
  const topic = testTopicFilter(server);
  return [
    { acltype: 'publishClientSend', topic, allow: true },
    { acltype: 'subscribePattern', topic, allow: true },
    { acltype: 'publishClientReceive', topic, allow: true },
  ];
}

function passwordEntry(password: string, iterations: number) {
  const salt = randomBytes(12);
  // The plugin's own format: PBKDF2-HMAC-SHA512, 64 bytes, base64 hash and salt.
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return { password: hash.toString('base64'), salt: salt.toString('base64'), iterations };
}

/**
 * The first `dynamic-security.json` for a broker: one admin account allowed to manage the
 * plugin, and every default access denied except unsubscribing. The password is stored
 * salted and hashed as the plugin does, so it never needs to go through `mosquitto_ctrl`'s
 * command line. Write it with mode 0600.
 */
export function createDynamicSecurityConfig(options: {
  adminUsername: string;
  adminPassword: string;
  iterations?: number;
}): string {
  const control = '$CONTROL/dynamic-security/#';
  const config = {
    clients: [
      {
        username: options.adminUsername,
        textName: 'XMcomm broker administrator',
        roles: [{ rolename: 'xm-admin' }],
        ...passwordEntry(options.adminPassword, options.iterations ?? 101),
      },
    ],
    roles: [
      {
        rolename: 'xm-admin',
        acls: [
          { acltype: 'publishClientSend', topic: control, allow: true },
          { acltype: 'publishClientReceive', topic: control, allow: true },
          { acltype: 'subscribePattern', topic: control, allow: true },
        ],
      },
    ],
    groups: [],
    // Receiving is denied by default too: only a role's publishClientReceive lets a message out.
    defaultACLAccess: {
      publishClientSend: false,
      publishClientReceive: false,
      subscribe: false,
      unsubscribe: true,
    },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** An account as the plugin describes it (`getClient`, `listClients` verbose). */
export interface BrokerClient {
  readonly username: string;
  /** The only client id it may connect with; absent: any. */
  readonly clientid?: string;
  readonly disabled: boolean;
  readonly roles: readonly string[];
}

/** A role as the plugin describes it (`getRole`, `listRoles` verbose). */
export interface BrokerRole {
  readonly rolename: string;
  readonly acls: readonly Acl[];
}

/**
 * What a provisioning step did to one account: `created`; `updated` (the `changes` say what);
 * `unchanged`; `deleted`; `absent` (there was no account, and none was wanted).
 */
export type AccountAction = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent';

/** One difference found and corrected on an existing account. */
export type AccountChange =
  | 'role-created'
  | 'role-granted'
  | 'acls'
  | 'client-id'
  | 'password'
  | 'enabled'
  | 'disabled';

export interface AccountOutcome {
  readonly username: string;
  readonly action: AccountAction;
  /** For `updated`: what was out of step (empty otherwise). */
  readonly changes: readonly AccountChange[];
}

/**
 * The state one account must be in. `existingPassword` says what to do with the password of an
 * account that already exists, since the plugin never shows it: `verify` logs in with it once
 * and sets it only when the broker refuses it (for accounts without a fixed client id: a login
 * with a site's client id would take over its session); `keep` leaves it; `set` sets it again.
 * Setting a password makes the plugin drop the account's connections, hence `verify`.
 */
export interface AccountSpec {
  readonly username: string;
  /** The only client id it may use; null: any. */
  readonly clientid: string | null;
  readonly rolename: string;
  readonly acls: readonly Acl[];
  /** Absent: an existing account is brought in step, a missing one is not created (`absent`). */
  readonly password?: string;
  readonly enabled: boolean;
  readonly existingPassword: 'verify' | 'keep' | 'set';
}

/** A site's account: username and client id its matricule, its role confined to its two topics. */
export function siteAccount(
  server: string,
  matricule: string,
  options: { enabled: boolean; password?: string; existingPassword?: 'keep' | 'set' },
): AccountSpec {
  named(server, matricule);
  return {
    username: matricule,
    clientid: matricule,
    rolename: siteRoleName(server, matricule),
    acls: siteAcls(server, matricule),
    ...(options.password === undefined ? {} : { password: options.password }),
    enabled: options.enabled,
    existingPassword: options.existingPassword ?? 'keep',
  };
}

export interface ProvisionOptions {
  /** Plan only: read the broker, say what would change, send nothing. */
  readonly dryRun?: boolean;
  /** The account and role as already read (`listClients`/`listRoles`); null: known to be absent. */
  readonly client?: BrokerClient | null;
  readonly role?: BrokerRole | null;
}

interface Plan {
  readonly action: 'created' | 'updated' | 'unchanged' | 'absent';
  readonly changes: AccountChange[];
  readonly commands: DynamicSecurityCommand[];
}

const sameAcl = (a: Acl, b: Acl) => a.acltype === b.acltype && a.topic === b.topic;

/** The commands that bring a role's ACLs to exactly `acls`: add the missing, fix the different, remove the others. */
export function planRole(
  rolename: string,
  acls: readonly Acl[],
  current: BrokerRole | undefined,
): { changes: AccountChange[]; commands: DynamicSecurityCommand[] } {
  if (!current) return { changes: ['role-created'], commands: [{ command: 'createRole', rolename, acls }] };
  const commands: DynamicSecurityCommand[] = [];
  const remove = (acl: Acl) =>
    commands.push({ command: 'removeRoleACL', rolename, acltype: acl.acltype, topic: acl.topic });
  for (const existing of current.acls) {
    const wanted = acls.find((acl) => sameAcl(acl, existing));
    // The plugin keys an ACL by type and topic: a different allow or priority is removed, then added.
    if (!wanted || wanted.allow !== existing.allow || (wanted.priority ?? 0) !== (existing.priority ?? 0))
      remove(existing);
  }
  for (const wanted of acls) {
    const existing = current.acls.find((acl) => sameAcl(acl, wanted));
    if (!existing || wanted.allow !== existing.allow || (wanted.priority ?? 0) !== (existing.priority ?? 0))
      commands.push({ command: 'addRoleACL', rolename, ...wanted });
  }
  return { changes: commands.length > 0 ? ['acls'] : [], commands };
}

/**
 * The commands that bring one account to `spec`, from its current state; only what differs is
 * sent, so a second run sends nothing. `passwordWorks` is the result of a login with the
 * password (undefined: not tried, or the answer was not a clear yes or no).
 */
export function planAccount(
  spec: AccountSpec,
  client: BrokerClient | undefined,
  role: BrokerRole | undefined,
  passwordWorks?: boolean,
): Plan {
  if (!client && spec.password === undefined) return { action: 'absent', changes: [], commands: [] };
  const roleStep = planRole(spec.rolename, spec.acls, role);
  if (!client) {
    const commands: DynamicSecurityCommand[] = [
      ...roleStep.commands,
      // Created with its role in one command: a crash never leaves an account without one.
      {
        command: 'createClient',
        username: spec.username,
        password: spec.password,
        ...(spec.clientid === null ? {} : { clientid: spec.clientid }),
        roles: [{ rolename: spec.rolename }],
      },
    ];
    if (!spec.enabled) commands.push({ command: 'disableClient', username: spec.username });
    return { action: 'created', changes: [], commands };
  }
  const changes: AccountChange[] = [...roleStep.changes];
  const commands: DynamicSecurityCommand[] = [];
  const { username } = spec;
  // Cut off first, so that nothing below runs while the account may still log in.
  if (!spec.enabled && !client.disabled) {
    commands.push({ command: 'disableClient', username });
    changes.push('disabled');
  }
  commands.push(...roleStep.commands);
  if ((client.clientid ?? null) !== spec.clientid) {
    commands.push(
      spec.clientid === null
        ? { command: 'setClientId', username }
        : { command: 'setClientId', username, clientid: spec.clientid },
    );
    changes.push('client-id');
  }
  if (!client.roles.includes(spec.rolename)) {
    commands.push({ command: 'addClientRole', username, rolename: spec.rolename });
    changes.push('role-granted');
  }
  const setPassword =
    spec.password !== undefined &&
    (spec.existingPassword === 'set' || (spec.existingPassword === 'verify' && passwordWorks !== true));
  if (setPassword) {
    commands.push({ command: 'setClientPassword', username, password: spec.password });
    changes.push('password');
  }
  if (spec.enabled && client.disabled) {
    commands.push({ command: 'enableClient', username });
    changes.push('enabled');
  }
  return { action: changes.length > 0 ? 'updated' : 'unchanged', changes, commands };
}

interface Pending {
  resolve: (response: DynamicSecurityResponse) => void;
}

/** Answers that mean another administrator got there between our reading and our writing. */
const RACES = ['Client already exists', 'Role already exists', 'Client not found', 'Role not found'];

/** listClients/listRoles pages: the whole register in one answer could exceed a broker's packet limit. */
const PAGE = 1_000;

/**
 * Manages Mosquitto's dynamic security plugin over `$CONTROL/dynamic-security/v1`, so the
 * broker's accounts follow the server's clients: a new site gets access, a suspended or
 * revoked one loses it at once (the plugin disconnects a client when it is disabled or
 * deleted). Every step reads the account first and sends only what differs: the plugin
 * answers some repeats with errors ("Internal error" for a role the client already has), and
 * a repeated password or ACL change would drop the account's connections.
 */
export class DynamicSecurityAdmin {
  readonly #client: MqttClient;
  readonly #pending = new Map<string, Pending>();
  readonly #timeoutMs: number;
  /** How to reach the broker, without the administrator's credentials: for password checks. */
  readonly #broker: BrokerOptions;

  private constructor(client: MqttClient, timeoutMs: number, broker: BrokerOptions) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
    this.#broker = broker;
    client.on('message', (topic, payload) => {
      if (topic !== RESPONSE_TOPIC) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload.toString('utf8'));
      } catch {
        return;
      }
      const responses = (parsed as { responses?: unknown }).responses;
      if (!Array.isArray(responses)) return;
      for (const response of responses as (DynamicSecurityResponse & { correlationData?: string })[]) {
        const id = response.correlationData;
        const pending = id === undefined ? undefined : this.#pending.get(id);
        if (pending && id !== undefined) {
          this.#pending.delete(id);
          pending.resolve(response);
        }
      }
    });
  }

  /** Connects with the admin account (keep it off the sites' network; prefer mqtts://). */
  static async connect(options: BrokerOptions & { timeoutMs?: number }): Promise<DynamicSecurityAdmin> {
    const { client } = await openConnection(options, {
      clientId: `xm-dynsec-${randomUUID()}`,
      clean: true,
    });
    const { username: _username, password: _password, timeoutMs, ...broker } = options;
    const admin = new DynamicSecurityAdmin(client, timeoutMs ?? 10_000, broker);
    try {
      await subscribeQos1(client, RESPONSE_TOPIC);
    } catch (cause) {
      await closeConnection(client, true);
      // Logged in, but not allowed the plugin's topics: not the plugin's administrator.
      throw TransportError.isInstance(cause) && cause.code === 'SUBSCRIBE_REFUSED'
        ? cause
        : new TransportError('NOT_CONNECTED', 'cannot read dynamic security responses', { cause });
    }
    return admin;
  }

  /** Sends commands in one message; answers come back in the same order, each with its own `error`. */
  async run(commands: readonly DynamicSecurityCommand[]): Promise<DynamicSecurityResponse[]> {
    if (commands.length === 0) return [];
    const waits = commands.map((command) => {
      const id = randomUUID();
      const answer = new Promise<DynamicSecurityResponse>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#pending.delete(id);
          reject(new TransportError('TIMEOUT', `dynamic security ${command.command}`));
        }, this.#timeoutMs);
        this.#pending.set(id, {
          resolve: (response) => {
            clearTimeout(timer);
            resolve(response);
          },
        });
      });
      return { body: { ...command, correlationData: id }, answer };
    });
    await new Promise<void>((resolve, reject) =>
      this.#client.publish(
        CONTROL_TOPIC,
        JSON.stringify({ commands: waits.map((w) => w.body) }),
        { qos: 1 },
        (e) => (e ? reject(new TransportError('PUBLISH_FAILED', e.message, { cause: e })) : resolve()),
      ),
    );
    return Promise.all(waits.map((w) => w.answer));
  }

  /** Runs commands; the first refusal throws CONTROL_FAILED naming the command and the plugin's answer. */
  async #check(commands: readonly DynamicSecurityCommand[], ignore: readonly string[] = []): Promise<void> {
    const responses = await this.run(commands);
    const failed = responses.find((r) => r.error !== undefined && !ignore.includes(r.error));
    if (failed) throw new TransportError('CONTROL_FAILED', `${failed.command}: ${failed.error}`);
  }

  async #ask(command: DynamicSecurityCommand, absent?: string): Promise<unknown> {
    const [answer] = await this.run([command]);
    if (answer?.error !== undefined && answer.error === absent) return undefined;
    if (!answer || answer.error !== undefined)
      throw new TransportError('CONTROL_FAILED', `${command.command}: ${answer?.error ?? 'no answer'}`);
    return answer.data ?? {};
  }

  /** One account, or undefined when the plugin has none of that name. */
  async getClient(username: string): Promise<BrokerClient | undefined> {
    const data = await this.#ask({ command: 'getClient', username }, 'Client not found');
    return data === undefined ? undefined : parseClient((data as { client?: unknown }).client);
  }

  async getRole(rolename: string): Promise<BrokerRole | undefined> {
    const data = await this.#ask({ command: 'getRole', rolename }, 'Role not found');
    return data === undefined ? undefined : parseRole((data as { role?: unknown }).role);
  }

  /** Every account, with its client id, roles and whether it is disabled. */
  async listClients(): Promise<BrokerClient[]> {
    return this.#list('listClients', 'clients', parseClient);
  }

  /** Every role, with its ACLs. */
  async listRoles(): Promise<BrokerRole[]> {
    return this.#list('listRoles', 'roles', parseRole);
  }

  async #list<T>(command: string, field: string, parse: (raw: unknown) => T | undefined): Promise<T[]> {
    const all: T[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const data = (await this.#ask({ command, verbose: true, count: PAGE, offset })) as Record<
        string,
        unknown
      >;
      const page = Array.isArray(data[field]) ? (data[field] as unknown[]) : [];
      for (const raw of page) {
        const parsed = parse(raw);
        if (parsed) all.push(parsed);
      }
      if (page.length < PAGE) return all;
    }
  }

  /**
   * Whether the broker lets `username` log in with `password`: true, false (refused), or
   * undefined when it could not tell (the broker wants more than a password, say a certificate).
   * Uses a client id of its own, so no session is taken over.
   */
  async #passwordWorks(username: string, password: string): Promise<boolean | undefined> {
    try {
      const { client } = await openConnection(
        { ...this.#broker, username, password, connectTimeoutMs: this.#timeoutMs },
        { clientId: `xm-check-${randomBytes(6).toString('hex')}`, clean: true },
      );
      await closeConnection(client, true);
      return true;
    } catch (error) {
      return TransportError.isInstance(error) && error.code === 'NOT_AUTHORIZED' ? false : undefined;
    }
  }

  /**
   * Brings one account and its role to `spec`, sending only what differs, and says what it did.
   * If another administrator created or deleted the account or role meanwhile, it reads again
   * and finishes the job once.
   */
  async ensureAccount(spec: AccountSpec, options: ProvisionOptions = {}): Promise<AccountOutcome> {
    let known: ProvisionOptions = options;
    for (let attempt = 0; ; attempt += 1) {
      const client =
        known.client === undefined ? await this.getClient(spec.username) : (known.client ?? undefined);
      const role = known.role === undefined ? await this.getRole(spec.rolename) : (known.role ?? undefined);
      // A login proves the password only for an enabled account that any client id may use.
      const passwordWorks =
        spec.existingPassword === 'verify' &&
        spec.password !== undefined &&
        client &&
        !client.disabled &&
        client.clientid === undefined
          ? await this.#passwordWorks(spec.username, spec.password)
          : undefined;
      const plan = planAccount(spec, client, role, passwordWorks);
      if (!options.dryRun && plan.commands.length > 0) {
        const responses = await this.run(plan.commands);
        const failed = responses.find((r) => r.error !== undefined);
        if (failed) {
          if (attempt === 0 && RACES.includes(failed.error ?? '')) {
            known = {};
            continue;
          }
          throw new TransportError('CONTROL_FAILED', `${failed.command}: ${failed.error}`);
        }
      }
      return { username: spec.username, action: plan.action, changes: plan.changes };
    }
  }

  /**
   * Gives a site its account: username and client id are its matricule, its role allows
   * only its own topics, enabled. Run again, it corrects whatever differs (ACLs, client id,
   * role, enabled) and, by default, sets the password again (which drops the site's
   * connection); `existingPassword: 'keep'` leaves an existing account's password alone.
   */
  async provisionSite(
    server: string,
    matricule: string,
    password: string,
    options: ProvisionOptions & { existingPassword?: 'keep' | 'set'; enabled?: boolean } = {},
  ): Promise<AccountOutcome> {
    return this.ensureAccount(
      siteAccount(server, matricule, {
        enabled: options.enabled ?? true,
        password,
        existingPassword: options.existingPassword ?? 'set',
      }),
      options,
    );
  }

  /** Suspends a site: the broker refuses its logins and drops its connection now. */
  async disableSite(matricule: string, options: { dryRun?: boolean } = {}): Promise<AccountOutcome> {
    return this.#setEnabled(matricule, false, options.dryRun === true);
  }

  async enableSite(matricule: string, options: { dryRun?: boolean } = {}): Promise<AccountOutcome> {
    return this.#setEnabled(matricule, true, options.dryRun === true);
  }

  async #setEnabled(username: string, enabled: boolean, dryRun: boolean): Promise<AccountOutcome> {
    named(username);
    const client = await this.getClient(username);
    if (!client) return { username, action: 'absent', changes: [] };
    if (client.disabled !== enabled) return { username, action: 'unchanged', changes: [] };
    if (!dryRun)
      await this.#check([{ command: enabled ? 'enableClient' : 'disableClient', username }], RACES);
    return { username, action: 'updated', changes: [enabled ? 'enabled' : 'disabled'] };
  }

  /** Sets a site's password (the plugin drops its connection: it logs in again with the new one). */
  async setSitePassword(matricule: string, password: string): Promise<AccountOutcome> {
    named(matricule);
    if (!(await this.getClient(matricule))) return { username: matricule, action: 'absent', changes: [] };
    await this.#check([{ command: 'setClientPassword', username: matricule, password }]);
    return { username: matricule, action: 'updated', changes: ['password'] };
  }

  /** Revokes a site for good: account and role are deleted, its connection dropped. */
  async deleteSite(
    server: string,
    matricule: string,
    options: { dryRun?: boolean } = {},
  ): Promise<AccountOutcome> {
    named(server, matricule);
    return this.#delete(matricule, siteRoleName(server, matricule), options.dryRun === true);
  }

  async #delete(username: string, rolename: string, dryRun: boolean): Promise<AccountOutcome> {
    const [client, role] = [await this.getClient(username), await this.getRole(rolename)];
    const commands: DynamicSecurityCommand[] = [];
    if (client) commands.push({ command: 'deleteClient', username });
    if (role) commands.push({ command: 'deleteRole', rolename });
    // Deleted by someone else meanwhile is deleted all the same.
    if (!dryRun) await this.#check(commands, ['Client not found', 'Role not found']);
    return { username, action: commands.length > 0 ? 'deleted' : 'absent', changes: [] };
  }

  /**
   * The account of the server's processes (any client id: several processes share it). Run
   * again, it changes nothing that is already right: the password is checked by logging in
   * with it, and set only when the broker refuses it, so the running processes keep their
   * connections.
   */
  async provisionServer(
    server: string,
    username: string,
    password: string,
    group = 'xmserver',
    options: { dryRun?: boolean } = {},
  ): Promise<AccountOutcome> {
    named(server, username, group);
    return this.ensureAccount(
      {
        username,
        clientid: null,
        rolename: serverRoleName(server),
        acls: serverAcls(server, group),
        password,
        enabled: true,
        existingPassword: 'verify',
      },
      options,
    );
  }

  /**
   * The account `broker test` uses: `xm-{server}-test`, any client id, allowed only
   * `xm/test/{server}/+`. The password is set on every call (a fresh one per test run, never
   * stored); `disableTestAccount` closes it again after the run.
   */
  async provisionTestAccount(server: string, password: string): Promise<AccountOutcome> {
    named(server);
    return this.ensureAccount({
      username: testAccountName(server),
      clientid: null,
      rolename: testAccountName(server),
      acls: testAcls(server),
      password,
      enabled: true,
      existingPassword: 'set',
    });
  }

  async disableTestAccount(server: string): Promise<AccountOutcome> {
    named(server);
    return this.#setEnabled(testAccountName(server), false, false);
  }

  async close(): Promise<void> {
    await closeConnection(this.#client);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

const ACL_TYPES: readonly string[] = [
  'publishClientSend',
  'publishClientReceive',
  'subscribeLiteral',
  'subscribePattern',
  'unsubscribeLiteral',
  'unsubscribePattern',
];

function parseClient(raw: unknown): BrokerClient | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = raw as { username?: unknown; clientid?: unknown; disabled?: unknown; roles?: unknown };
  if (typeof value.username !== 'string') return undefined;
  const roles = Array.isArray(value.roles)
    ? (value.roles as { rolename?: unknown }[]).flatMap((r) =>
        typeof r?.rolename === 'string' ? [r.rolename] : [],
      )
    : [];
  return {
    username: value.username,
    ...(typeof value.clientid === 'string' && value.clientid !== '' ? { clientid: value.clientid } : {}),
    disabled: value.disabled === true,
    roles,
  };
}

function parseRole(raw: unknown): BrokerRole | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = raw as { rolename?: unknown; acls?: unknown };
  if (typeof value.rolename !== 'string') return undefined;
  const acls = Array.isArray(value.acls)
    ? (value.acls as Record<string, unknown>[]).flatMap((acl): Acl[] =>
        typeof acl?.acltype === 'string' && ACL_TYPES.includes(acl.acltype) && typeof acl.topic === 'string'
          ? [
              {
                acltype: acl.acltype as AclType,
                topic: acl.topic,
                allow: acl.allow === true,
                priority: typeof acl.priority === 'number' ? acl.priority : 0,
              },
            ]
          : [],
      )
    : [];
  return { rolename: value.rolename, acls };
}

function named(...names: string[]): void {
  for (const name of names) {
    const result = validateName(name);
    if (!result.ok) throw result.error;
  }
}
