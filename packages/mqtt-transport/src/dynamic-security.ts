import { pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import {
  type AccountOutcome,
  type AccountSpec,
  named,
  planAccount,
  serverAcls,
  serverRoleName,
  siteAccount,
  siteRoleName,
  testAccountName,
  testAcls,
} from './broker-accounts.js';
import { type BrokerOptions, closeConnection, openConnection, subscribeQos1 } from './connection.js';
import {
  type BrokerClient,
  type BrokerRole,
  CONTROL_TOPIC,
  type DynamicSecurityCommand,
  type DynamicSecurityResponse,
  parseClient,
  parseRole,
  RESPONSE_TOPIC,
} from './dynamic-security-protocol.js';
import { TransportError } from './errors.js';

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

export interface ProvisionOptions {
  /** Plan only: read the broker, say what would change, send nothing. */
  readonly dryRun?: boolean;
  /** The account and role as already read (`listClients`/`listRoles`); null: known to be absent. */
  readonly client?: BrokerClient | null;
  readonly role?: BrokerRole | null;
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
