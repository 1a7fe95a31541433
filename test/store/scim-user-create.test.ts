/**
 * The one-statement SCIM creation re-checks, as it writes, what the enrollment rule decided on a
 * moment earlier: the email's domain is still verified by the organization and not Blocked.
 */
import { newSid } from '../../src/ids.js';
import type { NewScimMember } from '../../src/store/scim-user-create.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { addUnverifiedDomain, addVerifiedDomain, createOrgWithOwner } from '../support/fixtures.js';

let ctx: TestContext;
let orgSid: string;
beforeAll(async () => {
  ctx = await createTestContext();
  orgSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@acme.test' })).org.sid;
  await addVerifiedDomain(ctx, orgSid, 'acme.test');
  await addVerifiedDomain(ctx, orgSid, 'blocked.acme.test', 'blocked');
  await addUnverifiedDomain(ctx, orgSid, 'pending.acme.test');
});
afterAll(async () => { await ctx.close(); });

const member = (email: string): NewScimMember => ({
  orgSid, userSid: newSid('US'), email, displayName: null, givenName: null, familyName: null, userName: email,
  externalId: null, attributes: {}, actor: 'scim:test', requestId: null, joinedAudit: {}, provisionedAudit: {},
});

describe('SCIM one-statement creation', () => {
  it('R-C2: writes the member when the domain is verified by the organization', async () => {
    const created = await ctx.store.read.scimUsers.createMember(member('ann@acme.test'));
    expect(created?.email).toBe('ann@acme.test');
    expect((await ctx.store.read.users.getByEmail('ann@acme.test'))?.orgSid).toBe(orgSid);
  });

  it.each([
    ['R-D6: a Blocked domain', 'bob@blocked.acme.test'],
    ['R-D7: a domain the organization has not verified', 'cat@pending.acme.test'],
    ['R-D7: a domain nobody registered', 'dan@elsewhere.test'],
  ])('%s holds the creation back and writes nothing', async (_label, email) => {
    expect(await ctx.store.read.scimUsers.createMember(member(email))).toBeUndefined();
    expect(await ctx.store.read.users.getByEmail(email)).toBeUndefined();
  });
});
