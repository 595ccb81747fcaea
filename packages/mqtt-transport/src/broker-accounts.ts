/**
 * The broker accounts and roles XMcomm wants (a site's, the server's, the test account) and the
 * plugin commands that bring an account from what the broker holds to that; no I/O here.
 */

import type { Acl, BrokerClient, BrokerRole, DynamicSecurityCommand } from './dynamic-security-protocol.js';
import { downTopic, sharedUpSubscription, upTopic, upWildcard, validateName } from './topics.js';

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

/** Throws the first name that is not a valid topic level. */
export function named(...names: string[]): void {
  for (const name of names) {
    const result = validateName(name);
    if (!result.ok) throw result.error;
  }
}
