/**
 * What Mosquitto's dynamic security plugin speaks over `$CONTROL/dynamic-security/v1`: its commands,
 * its answers, and how it describes accounts and roles. No connection here (see dynamic-security.ts).
 */

export const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response';

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

const ACL_TYPES: readonly string[] = [
  'publishClientSend',
  'publishClientReceive',
  'subscribeLiteral',
  'subscribePattern',
  'unsubscribeLiteral',
  'unsubscribePattern',
];

/** An account from a `getClient` or `listClients` answer; undefined for anything else. */
export function parseClient(raw: unknown): BrokerClient | undefined {
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

/** A role from a `getRole` or `listRoles` answer; ACLs of unknown types are left out. */
export function parseRole(raw: unknown): BrokerRole | undefined {
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
