import { pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { type BrokerOptions, closeConnection, openConnection } from './connection.js';
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

interface Pending {
  resolve: (response: DynamicSecurityResponse) => void;
}

/**
 * Manages Mosquitto's dynamic security plugin over `$CONTROL/dynamic-security/v1`, so the
 * broker's accounts follow the server's clients: a new site gets access, a suspended or
 * revoked one loses it at once (the plugin disconnects a client when it is disabled or
 * deleted).
 */
export class DynamicSecurityAdmin {
  readonly #client: MqttClient;
  readonly #pending = new Map<string, Pending>();
  readonly #timeoutMs: number;

  private constructor(client: MqttClient, timeoutMs: number) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
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
    const admin = new DynamicSecurityAdmin(client, options.timeoutMs ?? 10_000);
    await new Promise<void>((resolve, reject) =>
      client.subscribe(RESPONSE_TOPIC, { qos: 1 }, (error, granted) => {
        if (error || granted?.[0]?.qos === 128) {
          reject(
            new TransportError('NOT_AUTHORIZED', 'cannot read dynamic security responses', { cause: error }),
          );
        } else resolve();
      }),
    );
    return admin;
  }

  /** Sends commands in one message; answers come back in the same order, each with its own `error`. */
  async run(commands: readonly DynamicSecurityCommand[]): Promise<DynamicSecurityResponse[]> {
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

  async #check(commands: readonly DynamicSecurityCommand[], ignore: readonly string[] = []): Promise<void> {
    const responses = await this.run(commands);
    const failed = responses.find((r) => r.error !== undefined && !ignore.includes(r.error));
    if (failed) throw new TransportError('CONTROL_FAILED', `${failed.command}: ${failed.error}`);
  }

  /**
   * Gives a site its account: username and client id are its matricule, its role allows
   * only its own topics. Run again for an existing site, it resets password and role and
   * re-enables it.
   */
  async provisionSite(server: string, matricule: string, password: string): Promise<void> {
    named(server, matricule);
    const rolename = siteRoleName(server, matricule);
    await this.#check(
      [
        { command: 'createRole', rolename },
        { command: 'createClient', username: matricule, clientid: matricule, password },
      ],
      ['Role already exists', 'Client already exists'],
    );
    await this.#check(
      siteAcls(server, matricule).map((acl) => ({ command: 'addRoleACL', rolename, ...acl })),
      ['ACL with this topic already exists'],
    );
    await this.#check([
      { command: 'setClientPassword', username: matricule, password },
      { command: 'setClientId', username: matricule, clientid: matricule },
      { command: 'addClientRole', username: matricule, rolename },
      { command: 'enableClient', username: matricule },
    ]);
  }

  /** Suspends a site: the broker refuses its logins and drops its connection now. */
  async disableSite(matricule: string): Promise<void> {
    named(matricule);
    await this.#check([{ command: 'disableClient', username: matricule }]);
  }

  async enableSite(matricule: string): Promise<void> {
    named(matricule);
    await this.#check([{ command: 'enableClient', username: matricule }]);
  }

  async setSitePassword(matricule: string, password: string): Promise<void> {
    named(matricule);
    await this.#check([{ command: 'setClientPassword', username: matricule, password }]);
  }

  /** Revokes a site for good: account and role are deleted, its connection dropped. */
  async deleteSite(server: string, matricule: string): Promise<void> {
    named(server, matricule);
    await this.#check(
      [
        { command: 'deleteClient', username: matricule },
        { command: 'deleteRole', rolename: siteRoleName(server, matricule) },
      ],
      ['Client not found', 'Role not found'],
    );
  }

  /** The account of the server's processes (any client id: several processes share it). */
  async provisionServer(
    server: string,
    username: string,
    password: string,
    group = 'xmserver',
  ): Promise<void> {
    named(server, username, group);
    const rolename = serverRoleName(server);
    await this.#check(
      [
        { command: 'createRole', rolename },
        { command: 'createClient', username, password },
      ],
      ['Role already exists', 'Client already exists'],
    );
    await this.#check(
      serverAcls(server, group).map((acl) => ({ command: 'addRoleACL', rolename, ...acl })),
      ['ACL with this topic already exists'],
    );
    await this.#check([
      { command: 'setClientPassword', username, password },
      { command: 'addClientRole', username, rolename },
      { command: 'enableClient', username },
    ]);
  }

  async close(): Promise<void> {
    await closeConnection(this.#client);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function named(...names: string[]): void {
  for (const name of names) {
    const result = validateName(name);
    if (!result.ok) throw result.error;
  }
}
