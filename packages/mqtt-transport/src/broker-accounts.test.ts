import { describe, expect, it } from 'vitest';
import { type AccountSpec, planAccount, planRole, siteAccount, siteAcls } from './broker-accounts.js';

const site = (options: Partial<AccountSpec> = {}): AccountSpec => ({
  ...siteAccount('srv', 'S1', { enabled: true, password: 'secret', existingPassword: 'keep' }),
  ...options,
});
const role = {
  rolename: 'xm-srv-site-S1',
  acls: siteAcls('srv', 'S1').map((acl) => ({ ...acl, priority: 0 })),
};
const client = { username: 'S1', clientid: 'S1', disabled: false, roles: ['xm-srv-site-S1'] };

describe('planning an account from what the broker holds', () => {
  it('sends nothing when everything is already right', () => {
    expect(planAccount(site(), client, role)).toEqual({ action: 'unchanged', changes: [], commands: [] });
  });

  it('creates role and client, the client with its role in the same command', () => {
    const plan = planAccount(site(), undefined, undefined);
    expect(plan.action).toBe('created');
    expect(plan.commands.map((c) => c.command)).toEqual(['createRole', 'createClient']);
    expect(plan.commands[1]).toMatchObject({ clientid: 'S1', roles: [{ rolename: 'xm-srv-site-S1' }] });
  });

  it('creates nothing without a password, and a disabled account is created disabled', () => {
    expect(planAccount(site({ password: undefined }), undefined, role).action).toBe('absent');
    expect(planAccount(site({ enabled: false }), undefined, role).commands.at(-1)).toEqual({
      command: 'disableClient',
      username: 'S1',
    });
  });

  it('disables first, enables last', () => {
    const off = planAccount(site({ enabled: false, existingPassword: 'set' }), client, role);
    expect(off.commands.map((c) => c.command)).toEqual(['disableClient', 'setClientPassword']);
    const on = planAccount(site({ existingPassword: 'set' }), { ...client, disabled: true }, role);
    expect(on.commands.map((c) => c.command)).toEqual(['setClientPassword', 'enableClient']);
    expect(on.changes).toEqual(['password', 'enabled']);
  });

  it('sets a password to verify only when the login did not succeed', () => {
    const spec = site({ clientid: null, existingPassword: 'verify' });
    const free = { ...client, clientid: undefined };
    expect(planAccount(spec, free, role, true).changes).toEqual([]);
    expect(planAccount(spec, free, role, false).changes).toEqual(['password']);
    expect(planAccount(spec, free, role, undefined).changes).toEqual(['password']);
  });

  it('fixes a client id, a missing role, and clears a fixed client id', () => {
    const plan = planAccount(site(), { ...client, clientid: 'other', roles: [] }, role);
    expect(plan.changes).toEqual(['client-id', 'role-granted']);
    expect(planAccount(site({ clientid: null }), client, role).commands).toEqual([
      { command: 'setClientId', username: 'S1' },
    ]);
  });
});

describe('planning a role', () => {
  const wanted = siteAcls('srv', 'S1');

  it('adds what is missing, removes what is extra, replaces what differs', () => {
    const [send, subscribe] = wanted;
    const plan = planRole('r', wanted, {
      rolename: 'r',
      acls: [
        { ...send!, allow: false },
        { ...subscribe!, priority: 0 },
        { acltype: 'subscribePattern', topic: '#', allow: true, priority: 0 },
      ],
    });
    expect(plan.changes).toEqual(['acls']);
    expect(plan.commands).toEqual([
      { command: 'removeRoleACL', rolename: 'r', acltype: send!.acltype, topic: send!.topic },
      { command: 'removeRoleACL', rolename: 'r', acltype: 'subscribePattern', topic: '#' },
      { command: 'addRoleACL', rolename: 'r', ...send },
      { command: 'addRoleACL', rolename: 'r', ...wanted[2] },
    ]);
  });
});
