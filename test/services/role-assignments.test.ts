import { createTestContext, type TestContext } from '../support/app.js';
import { addAccount, addMember, asUser, createOrgWithOwner, OPERATOR, type OrgWithOwner } from '../support/fixtures.js';
import { createScimOrg, GROUP_URN, userBody } from '../support/scim-fixtures.js';
import { ACCOUNT_ADMINISTRATOR_ROLE_SID, BUILT_IN_ROLE_SIDS, DEVELOPER_ROLE_SID } from '../../src/rules/role-catalogue.js';
import type { Account, Member } from '../../src/types.js';

const SUPPORT = BUILT_IN_ROLE_SIDS.account.Support;
const BILLING = BUILT_IN_ROLE_SIDS.account['Billing Manager'];
const ORG_ADMIN = BUILT_IN_ROLE_SIDS.organization.Administrator;
const ORG_STANDARD = BUILT_IN_ROLE_SIDS.organization['Standard User'];

let ctx: TestContext;
let a: OrgWithOwner;
let b: OrgWithOwner;
let admin: Member;
let sam: Member;
let managed: Account;
let independent: Account;
let sub: Account;
let otherOrgAccount: Account;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createOrgWithOwner(ctx, { ownerEmail: 'olga@roles-a.example' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'otto@roles-b.example' });
  admin = await addMember(ctx, a.org.sid, 'adam@roles-a.example', 'admin');
  sam = await addMember(ctx, a.org.sid, 'sam@roles-a.example', 'standard');
  managed = await addAccount(ctx, { ownerSid: a.owner.sid, orgSid: a.org.sid, name: 'Managed' });
  independent = await addAccount(ctx, { ownerSid: a.owner.sid, orgSid: a.org.sid, management: 'independent', name: 'Independent' });
  sub = await addAccount(ctx, { ownerSid: a.owner.sid, orgSid: a.org.sid, parentSid: managed.sid, name: 'Sub' });
  otherOrgAccount = await addAccount(ctx, { ownerSid: b.owner.sid, orgSid: b.org.sid, name: 'Theirs' });
  await ctx.services.roles.setPermissions(OPERATOR, DEVELOPER_ROLE_SID, ['messages:send', 'calls:create']);
  await ctx.services.roles.setPermissions(OPERATOR, SUPPORT, ['tickets:read']);
});
afterAll(async () => { await ctx.close(); });

const auditOf = async (orgSid: string, action: string) => ctx.store.read.audit.list(orgSid, { limit: 1000, action });

describe('the role catalogue (R1)', () => {
  it('R1: the built-in roles are seeded with stable SIDs; Owner is not among them (O2)', async () => {
    const roles = await ctx.services.roles.list(a.ownerActor, a.org.sid);
    const names = roles.map((r) => `${r.scopeType}:${r.name}:${r.sid}`);
    for (const [scope, byName] of Object.entries(BUILT_IN_ROLE_SIDS)) {
      for (const [name, sid] of Object.entries(byName)) expect(names).toContain(`${scope}:${name}:${sid}`);
    }
    expect(roles.filter((r) => r.kind === 'built_in')).toHaveLength(7);
    expect(roles.some((r) => /owner/i.test(r.name))).toBe(false);
  });

  it('R1: the operator defines a custom role and sets permissions, recorded in every organization\'s log (L1); members cannot', async () => {
    const role = await ctx.services.roles.create(OPERATOR, { name: 'Campaign Manager', permissions: ['messages:send', 'campaigns:write', 'messages:send'] });
    expect(role).toMatchObject({ kind: 'custom', scopeType: 'account', permissions: ['campaigns:write', 'messages:send'] });
    expect(role.sid).toMatch(/^IX[0-9a-f]{32}$/);
    await expect(ctx.services.roles.create(OPERATOR, { name: 'campaign manager', permissions: [] })).rejects.toMatchObject({ code: 'role_exists' });
    await expect(ctx.services.roles.create(a.ownerActor, { name: 'Mine', permissions: [] })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.roles.setPermissions(a.ownerActor, role.sid, [])).rejects.toMatchObject({ code: 'forbidden' });
    const updated = await ctx.services.roles.setPermissions(OPERATOR, role.sid, ['campaigns:read']);
    expect(updated.permissions).toEqual(['campaigns:read']);
    for (const org of [a, b]) {
      expect(await auditOf(org.org.sid, 'role.created')).toContainEqual(expect.objectContaining({ target: role.sid, actor: 'operator' }));
      expect(await auditOf(org.org.sid, 'role.permissions_changed')).toContainEqual(expect.objectContaining({
        target: role.sid, before: { permissions: ['campaigns:write', 'messages:send'] }, after: { permissions: ['campaigns:read'] },
      }));
    }
  });

  it('R1: the account Administrator holds every permission: its permissions cannot be set', async () => {
    await expect(ctx.services.roles.setPermissions(OPERATOR, ACCOUNT_ADMINISTRATOR_ROLE_SID, ['messages:send'])).rejects.toMatchObject({ code: 'role_built_in' });
    await expect(ctx.services.roles.setPermissions(OPERATOR, ORG_ADMIN, ['messages:send'])).rejects.toMatchObject({ code: 'role_built_in' });
    await expect(ctx.services.roles.setPermissions(OPERATOR, 'IX' + '0'.repeat(32), [])).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.roles.setPermissions(OPERATOR, SUPPORT, ['Not Valid'])).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('role assignments on accounts (R1-R4, O3, U6, L1)', () => {
  it('R1, L1: an Administrator assigns an account role; listed by identity and by scope; audited', async () => {
    const created = await ctx.services.roleAssignments.create(asUser(admin), a.org.sid, { roleSid: SUPPORT, scope: managed.sid, identity: sam.sid });
    expect(created).toMatchObject({ identity: sam.sid, scope: managed.sid, roleSid: SUPPORT, source: 'direct', orgSid: a.org.sid });
    expect(created.sid).toMatch(/^IY[0-9a-f]{32}$/);
    const byIdentity = await ctx.services.roleAssignments.list(a.ownerActor, a.org.sid, { identity: sam.sid });
    expect(byIdentity.map((x) => [x.scope, x.roleSid])).toEqual(expect.arrayContaining([[a.org.sid, ORG_STANDARD], [managed.sid, SUPPORT]]));
    const byScope = await ctx.services.roleAssignments.list(asUser(admin), a.org.sid, { scope: managed.sid });
    expect(byScope.map((x) => x.sid)).toContain(created.sid);
    expect(await auditOf(a.org.sid, 'role_assignment.created')).toContainEqual(expect.objectContaining({
      actor: admin.sid, target: sam.sid, after: expect.objectContaining({ sid: created.sid, scope: managed.sid, roleSid: SUPPORT }),
    }));
    await expect(ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: SUPPORT, scope: managed.sid, identity: sam.sid }))
      .rejects.toMatchObject({ code: 'role_assignment_exists' });
  });

  it('R1: concurrent identical assignments: exactly one is made, the others are role_assignment_exists', async () => {
    const user = await addMember(ctx, a.org.sid, 'race@roles-a.example');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () =>
      ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: BILLING, scope: managed.sid, identity: user.sid })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'role_assignment_exists' });
    expect(await ctx.services.roleAssignments.list(a.ownerActor, a.org.sid, { identity: user.sid, scope: managed.sid })).toHaveLength(1);
  });

  it('R4: no assignment names a subaccount (the rule, and the database behind it)', async () => {
    await expect(ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: SUPPORT, scope: sub.sid, identity: sam.sid }))
      .rejects.toMatchObject({ code: 'subaccount_not_grantable' });
    await expect(ctx.store.transaction((repos) => repos.roleAssignments.insert({ orgSid: a.org.sid, userSid: sam.sid, accountSid: sub.sid, roleSid: SUPPORT })))
      .rejects.toMatchObject({ code: 'subaccount_not_grantable' });
    await expect(ctx.store.transaction((repos) => repos.roleAssignments.insert({ orgSid: a.org.sid, userSid: sam.sid, accountSid: managed.sid, roleSid: ORG_ADMIN })))
      .rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('R1: roles fit their scope; unknown roles and other organizations\' accounts are refused (U6: 404)', async () => {
    await expect(ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: ORG_ADMIN, scope: managed.sid, identity: sam.sid })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: SUPPORT, scope: a.org.sid, identity: sam.sid })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: 'IX' + '1'.repeat(32), scope: managed.sid, identity: sam.sid })).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: SUPPORT, scope: otherOrgAccount.sid, identity: sam.sid })).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: SUPPORT, scope: managed.sid, identity: b.owner.sid })).rejects.toMatchObject({ code: 'not_a_member' });
    await expect(ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: SUPPORT, scope: b.org.sid, identity: sam.sid })).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.roleAssignments.list(a.ownerActor, a.org.sid, {})).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('O3, U6: a Standard User reads only their own assignments and changes none; an Administrator cannot act on the Owner', async () => {
    const own = await ctx.services.roleAssignments.list(asUser(sam), a.org.sid, { identity: sam.sid });
    expect(own.length).toBeGreaterThan(0);
    await expect(ctx.services.roleAssignments.list(asUser(sam), a.org.sid, { identity: admin.sid })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.roleAssignments.list(asUser(sam), a.org.sid, { scope: managed.sid })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.roleAssignments.create(asUser(sam), a.org.sid, { roleSid: BILLING, scope: managed.sid, identity: sam.sid })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.roleAssignments.create(asUser(admin), a.org.sid, { roleSid: BILLING, scope: independent.sid, identity: a.owner.sid })).rejects.toMatchObject({ code: 'forbidden' });
    // Another organization's Owner learns nothing about this one.
    await expect(ctx.services.roleAssignments.list(b.ownerActor, a.org.sid, { identity: sam.sid })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('L1: deleting by IY SID; another organization cannot (404); SCIM-given roles follow the groups', async () => {
    const created = await ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: BILLING, scope: independent.sid, identity: sam.sid });
    await expect(ctx.services.roleAssignments.delete(b.ownerActor, b.org.sid, created.sid)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.roleAssignments.delete(asUser(sam), a.org.sid, created.sid)).rejects.toMatchObject({ code: 'forbidden' });
    const deleted = await ctx.services.roleAssignments.delete(asUser(admin), a.org.sid, created.sid);
    expect(deleted.sid).toBe(created.sid);
    await expect(ctx.services.roleAssignments.delete(asUser(admin), a.org.sid, created.sid)).rejects.toMatchObject({ code: 'not_found' });
    expect(await auditOf(a.org.sid, 'role_assignment.deleted')).toContainEqual(expect.objectContaining({
      actor: admin.sid, target: sam.sid, before: { sid: created.sid, scope: independent.sid, roleSid: BILLING },
    }));
    await ctx.store.transaction((repos) => repos.accounts.grant(a.org.sid, sam.sid, independent.sid, 'scim', SUPPORT));
    const scim = (await ctx.services.roleAssignments.list(a.ownerActor, a.org.sid, { identity: sam.sid, scope: independent.sid })).find((x) => x.source === 'scim')!;
    await expect(ctx.services.roleAssignments.delete(a.ownerActor, a.org.sid, scim.sid)).rejects.toMatchObject({ code: 'scim_read_only' });
    await ctx.store.transaction((repos) => repos.accounts.revoke(a.org.sid, sam.sid, independent.sid, 'scim'));
  });
});

describe('organization roles through assignments (O2, O3)', () => {
  it('O3: assigning org Administrator at scope OR… makes the member an Administrator; Standard User demotes', async () => {
    const user = await addMember(ctx, a.org.sid, 'promoted@roles-a.example');
    const assigned = await ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: ORG_ADMIN, scope: a.org.sid, identity: user.sid });
    expect(assigned).toMatchObject({ scope: a.org.sid, roleSid: ORG_ADMIN, identity: user.sid, source: 'membership' });
    expect((await ctx.store.read.users.get(user.sid))!.role).toBe('admin');
    const listed = await ctx.services.roleAssignments.list(a.ownerActor, a.org.sid, { identity: user.sid, scope: a.org.sid });
    expect(listed).toEqual([assigned]);
    await ctx.services.roleAssignments.create(asUser(admin), a.org.sid, { roleSid: ORG_STANDARD, scope: a.org.sid, identity: user.sid });
    expect((await ctx.store.read.users.get(user.sid))!.role).toBe('standard');
    expect(await auditOf(a.org.sid, 'user.role_changed')).toContainEqual(expect.objectContaining({ target: user.sid, after: { role: 'admin' } }));
  });

  it('O2: the Owner is never assigned nor changed this way (owner_required)', async () => {
    await expect(ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: ORG_STANDARD, scope: a.org.sid, identity: a.owner.sid }))
      .rejects.toMatchObject({ code: 'owner_required' });
    expect((await ctx.store.read.users.get(a.owner.sid))!.role).toBe('owner');
    expect(await ctx.services.roleAssignments.list(a.ownerActor, a.org.sid, { identity: a.owner.sid, scope: a.org.sid })).toEqual([]);
  });
});

describe('effective permissions (R2-R5)', () => {
  it('R2, R3, R5: what each member may use on each account', async () => {
    const dev = await addMember(ctx, a.org.sid, 'dev@roles-a.example');
    await ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: DEVELOPER_ROLE_SID, scope: managed.sid, identity: dev.sid });
    await ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: SUPPORT, scope: managed.sid, identity: dev.sid });
    expect(await ctx.services.roles.effectivePermissions(asUser(dev), dev.sid, managed.sid)).toEqual({
      roleSids: [DEVELOPER_ROLE_SID, SUPPORT].sort(), allPermissions: false, permissions: ['calls:create', 'messages:send', 'tickets:read'],
    });
    // R4: the parent's roles reach the subaccount.
    await expect(ctx.services.roles.checkPermission(asUser(dev), dev.sid, sub.sid, 'messages:send')).resolves.toBeUndefined();
    await expect(ctx.services.roles.checkPermission(asUser(dev), dev.sid, managed.sid, 'billing:read')).rejects.toMatchObject({ code: 'forbidden' });
    // R2: the Owner is Administrator of managed accounts, holds only assignments on independent ones.
    expect((await ctx.services.roles.effectivePermissions(a.ownerActor, a.owner.sid, managed.sid)).allPermissions).toBe(true);
    await expect(ctx.services.roles.checkPermission(a.ownerActor, a.owner.sid, independent.sid, 'messages:send')).rejects.toMatchObject({ code: 'forbidden' });
    // O3, U6: a Standard User asks about themselves only; an outsider about nobody here.
    await expect(ctx.services.roles.effectivePermissions(asUser(dev), sam.sid, managed.sid)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.roles.effectivePermissions(b.ownerActor, dev.sid, managed.sid)).rejects.toMatchObject({ code: 'not_found' });
    // R5: suspended users get nothing.
    await ctx.services.members.suspend(a.ownerActor, a.org.sid, dev.sid);
    await expect(ctx.services.roles.checkPermission(OPERATOR, dev.sid, managed.sid, 'messages:send')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('R5: a closed account gives nothing, even to the Owner', async () => {
    const closing = await addAccount(ctx, { ownerSid: a.owner.sid, orgSid: a.org.sid, name: 'Closing' });
    await expect(ctx.services.roles.checkPermission(OPERATOR, a.owner.sid, closing.sid, 'messages:send')).resolves.toBeUndefined();
    await ctx.services.accounts.close(a.ownerActor, closing.sid);
    await expect(ctx.services.roles.checkPermission(OPERATOR, a.owner.sid, closing.sid, 'messages:send')).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('C5 extended: SCIM groups give (account, role) pairs', () => {
  it('R-C5, R3: roles from several groups add up as SCIM assignments', async () => {
    const scim = await createScimOrg(ctx);
    const acct = await addAccount(ctx, { ownerSid: scim.owner.sid, orgSid: scim.org.sid, name: 'Scim account' });
    const userSid = (await scim.client.post('/Users', userBody(`pairs@${scim.domain}`)).expect(201)).body.id as string;
    await ctx.services.scimGroups.map(scim.ownerActor, scim.org.sid, { group: 'Devs', accountSids: [acct.sid] });
    const mapped = await ctx.services.scimGroups.map(scim.ownerActor, scim.org.sid, { group: 'Helpdesk', accountRoles: [{ accountSid: acct.sid, role: 'support' }] });
    expect(mapped.accountRoles).toEqual([{ accountSid: acct.sid, roleSid: SUPPORT }]);
    for (const displayName of ['Devs', 'Helpdesk']) {
      await scim.client.post('/Groups', { schemas: [GROUP_URN], displayName, members: [{ value: userSid }] }).expect(201);
    }
    const listed = await ctx.services.roleAssignments.list(scim.ownerActor, scim.org.sid, { identity: userSid, scope: acct.sid });
    expect(listed.map((x) => [x.roleSid, x.source]).sort()).toEqual([[DEVELOPER_ROLE_SID, 'scim'], [SUPPORT, 'scim']].sort());
    await expect(ctx.services.scimGroups.map(scim.ownerActor, scim.org.sid, { group: 'Helpdesk', accountRoles: [{ accountSid: acct.sid, role: 'Nope' }] }))
      .rejects.toMatchObject({ code: 'not_found' });
  });
});
