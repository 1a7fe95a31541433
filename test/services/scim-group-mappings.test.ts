import { createTestContext, type TestContext } from '../support/app.js';
import { addAccount, addMember, asUser, createOrgWithOwner, OPERATOR } from '../support/fixtures.js';
import { createScimOrg, GROUP_URN, patchBody, userBody, type ScimOrg } from '../support/scim-fixtures.js';
import type { Account } from '../../src/types.js';
import { DEVELOPER_ROLE_SID } from '../../src/rules/role-catalogue.js';

let ctx: TestContext;
let org: ScimOrg;
let accounts: Account[];

beforeAll(async () => {
  ctx = await createTestContext();
  org = await createScimOrg(ctx);
  accounts = [];
  for (let i = 0; i < 3; i++) accounts.push(await addAccount(ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid, name: `Account ${i}` }));
});
afterAll(async () => { await ctx.close(); });

const newUser = async (name: string) => (await org.client.post('/Users', userBody(`${name}@${org.domain}`)).expect(201)).body.id as string;
const newGroup = async (displayName: string, members: string[], externalId?: string) =>
  (await org.client.post('/Groups', { schemas: [GROUP_URN], displayName, ...(externalId && { externalId }), members: members.map((value) => ({ value })) }).expect(201)).body.id as string;
const access = async (userSid: string) => {
  const member = (await ctx.store.read.users.get(userSid))!;
  return { role: member.role, grants: await ctx.store.read.accounts.grantsBySource(org.org.sid, userSid, 'scim') };
};

describe('C5: SCIM group mappings', () => {
  it('R-C5: a mapping made before the push applies when the IdP pushes the group (audited with the token)', async () => {
    const u = await newUser('c5-before');
    const result = await ctx.services.scimGroups.map(org.ownerActor, org.org.sid, { group: 'Admins Before', role: 'admin', accountSids: [accounts[0]!.sid] });
    expect(result).toMatchObject({ mapped: true, groups: [], members: [] });
    await newGroup('admins before', [u]);
    expect(await access(u)).toEqual({ role: 'admin', grants: [accounts[0]!.sid] });
    const log = await ctx.store.read.audit.list(org.org.sid, { limit: 1000, action: 'scim.access_recomputed' });
    expect(log).toContainEqual(expect.objectContaining({ target: u, actor: `scim:${org.tokenId}`, after: { role: 'admin', accountSids: [accounts[0]!.sid], accountRoles: [{ accountSid: accounts[0]!.sid, roleSid: DEVELOPER_ROLE_SID }] } }));
  });

  it('R-C5: a mapping made after the push (by externalId) recomputes the members at once; grants only leave roles alone', async () => {
    const u1 = await newUser('c5-after-1');
    const manualAdmin = await newUser('c5-after-admin');
    await ctx.services.members.changeRole(org.ownerActor, org.org.sid, manualAdmin, 'admin');
    await newGroup('Support', [u1, manualAdmin], 'ext-support');
    const result = await ctx.services.scimGroups.map(org.ownerActor, org.org.sid, { group: 'ext-support', accountSids: [accounts[1]!.sid, accounts[2]!.sid] });
    expect(result.groups.map((g) => g.displayName)).toEqual(['Support']);
    expect(result.members.map((m) => m.userSid).sort()).toEqual([u1, manualAdmin].sort());
    expect(await access(u1)).toEqual({ role: 'standard', grants: [accounts[1]!.sid, accounts[2]!.sid].sort() });
    expect(await access(manualAdmin)).toEqual({ role: 'admin', grants: [accounts[1]!.sid, accounts[2]!.sid].sort() });
  });

  it('R-C5: the highest role wins; removing the last mapped group returns the user to Standard with no grants', async () => {
    await ctx.services.scimGroups.map(org.ownerActor, org.org.sid, { group: 'Role Admins', role: 'admin', accountSids: [accounts[0]!.sid] });
    await ctx.services.scimGroups.map(org.ownerActor, org.org.sid, { group: 'Role Staff', role: 'standard', accountSids: [accounts[1]!.sid] });
    const u = await newUser('c5-highest');
    const admins = await newGroup('Role Admins', [u]);
    const staff = await newGroup('Role Staff', [u]);
    expect(await access(u)).toEqual({ role: 'admin', grants: [accounts[0]!.sid, accounts[1]!.sid].sort() });
    await org.client.patch(`/Groups/${admins}`, patchBody({ op: 'remove', path: `members[value eq "${u}"]` })).expect(204);
    expect(await access(u)).toEqual({ role: 'standard', grants: [accounts[1]!.sid] });
    await org.client.patch(`/Groups/${admins}`, patchBody({ op: 'add', path: 'members', value: [{ value: u }] })).expect(204);
    expect((await access(u)).role).toBe('admin');
    await org.client.patch(`/Groups/${admins}`, patchBody({ op: 'remove', path: 'members', value: [{ value: u }] })).expect(204);
    await org.client.patch(`/Groups/${staff}`, patchBody({ op: 'replace', path: 'members', value: [] })).expect(204);
    expect(await access(u)).toEqual({ role: 'standard', grants: [] });
  });

  it('R-C5: no group ever grants Owner, nor takes it away', async () => {
    await expect(ctx.services.scimGroups.map(org.ownerActor, org.org.sid, { group: 'Owners', role: 'owner' as never })).rejects.toMatchObject({ code: 'invalid_input' });
    await ctx.services.scimGroups.map(org.ownerActor, org.org.sid, { group: 'Owner Staff', role: 'standard' });
    await newGroup('Owner Staff', [org.owner.sid]);
    expect((await access(org.owner.sid)).role).toBe('owner');
  });

  it('R-A7: a mapping cannot grant a subaccount (subaccount_not_grantable); its parent is granted instead', async () => {
    const sub = await addAccount(ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid, parentSid: accounts[0]!.sid, name: 'Sub' });
    await expect(ctx.services.scimGroups.map(org.ownerActor, org.org.sid, { group: 'Sub Staff', accountSids: [sub.sid] }))
      .rejects.toMatchObject({ code: 'subaccount_not_grantable' });
    expect((await ctx.services.scimGroups.listMappings(org.ownerActor, org.org.sid)).map((m) => m.groupRef)).not.toContain('Sub Staff');
  });

  it('membership change and recompute are one transaction: a PATCH that fails changes no access', async () => {
    await ctx.services.scimGroups.map(org.ownerActor, org.org.sid, { group: 'Atomic Admins', role: 'admin' });
    const u = await newUser('c5-atomic');
    const g = await newGroup('Atomic Admins', []);
    await org.client.patch(`/Groups/${g}`, patchBody(
      { op: 'add', path: 'members', value: [{ value: u }] },
      { op: 'add', path: 'members', value: [{ value: 'US00000000000000000000000000000000' }] },
    )).expect(400);
    expect(await access(u)).toEqual({ role: 'standard', grants: [] });
  });

  it('renaming or deleting a mapped group takes away what it gave', async () => {
    await ctx.services.scimGroups.map(org.ownerActor, org.org.sid, { group: 'Rename Admins', role: 'admin', accountSids: [accounts[2]!.sid] });
    const u = await newUser('c5-rename');
    const g = await newGroup('Rename Admins', [u]);
    expect((await access(u)).role).toBe('admin');
    await org.client.patch(`/Groups/${g}`, patchBody({ op: 'replace', path: 'displayName', value: 'Renamed Away' })).expect(204);
    expect(await access(u)).toEqual({ role: 'standard', grants: [] });
    await org.client.patch(`/Groups/${g}`, patchBody({ op: 'replace', path: 'displayName', value: 'Rename Admins' })).expect(204);
    expect((await access(u)).role).toBe('admin');
    await org.client.delete(`/Groups/${g}`).expect(204);
    expect(await access(u)).toEqual({ role: 'standard', grants: [] });
  });

  it('R-C5: preview shows the effective access a change would produce, without saving it', async () => {
    const u = await newUser('c5-preview');
    await newGroup('Preview Group', [u]);
    const preview = await ctx.services.scimGroups.preview(org.ownerActor, org.org.sid, { group: 'preview group', role: 'admin', accountSids: [accounts[0]!.sid] });
    expect(preview.members).toEqual([{ userSid: u, email: `c5-preview@${org.domain}`, role: 'admin', accountSids: [accounts[0]!.sid], accountRoles: [{ accountSid: accounts[0]!.sid, roleSid: DEVELOPER_ROLE_SID }], before: { role: 'standard', accountSids: [], accountRoles: [] }, changed: true }]);
    expect(await access(u)).toEqual({ role: 'standard', grants: [] });
    expect((await ctx.services.scimGroups.listMappings(org.ownerActor, org.org.sid)).map((m) => m.groupRef)).not.toContain('preview group');
    const saved = await ctx.services.scimGroups.map(org.ownerActor, org.org.sid, { group: 'preview group', role: 'admin', accountSids: [accounts[0]!.sid] });
    expect(saved.members).toEqual(preview.members);
    const unmapped = await ctx.services.scimGroups.unmap(org.ownerActor, org.org.sid, 'PREVIEW GROUP');
    expect(unmapped.mapped).toBe(false);
    expect(await access(u)).toEqual({ role: 'standard', grants: [] });
  });

  it('O3, A1: only administrators map; accounts must be open accounts of the organization', async () => {
    const standard = await addMember(ctx, org.org.sid, `c5-standard@${org.domain}`);
    await expect(ctx.services.scimGroups.map(asUser(standard), org.org.sid, { group: 'X', role: 'admin' })).rejects.toMatchObject({ code: 'forbidden' });
    const scimActor = { kind: 'scim' as const, tokenId: org.tokenId, orgSid: org.org.sid };
    await expect(ctx.services.scimGroups.map(scimActor, org.org.sid, { group: 'X', role: 'admin' })).rejects.toMatchObject({ code: 'forbidden' });
    const elsewhere = await createOrgWithOwner(ctx, { ownerEmail: `c5-else@else-${org.domain}` });
    const foreign = await addAccount(ctx, { ownerSid: elsewhere.owner.sid, orgSid: elsewhere.org.sid });
    await expect(ctx.services.scimGroups.map(OPERATOR, org.org.sid, { group: 'X', accountSids: [foreign.sid] })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.services.scimGroups.map(OPERATOR, elsewhere.org.sid, { group: 'X', role: 'admin' })).resolves.toMatchObject({ mapped: true });
  });
});
