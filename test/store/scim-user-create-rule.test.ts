/**
 * The SQL guard of the one-statement SCIM creation and the enrollment rule decide alike (D5, D6,
 * D7, C2): for every policy, verified or not, in this organization or another, the statement
 * writes the member exactly when decideEnrollment says `join`.
 */
import { newSid } from '../../src/ids.js';
import { DOMAIN_POLICIES, JOINABLE_DOMAIN_POLICIES, decideEnrollment, type DomainPolicy } from '../../src/rules/index.js';
import type { NewScimMember } from '../../src/store/scim-user-create.js';
import { domainSnapshot } from '../../src/services/enrollment.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { createOrgWithOwner } from '../support/fixtures.js';

let ctx: TestContext;
let orgSid: string;
let otherSid: string;
beforeAll(async () => {
  ctx = await createTestContext();
  orgSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@agree.test' })).org.sid;
  otherSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@agree-other.test' })).org.sid;
});
afterAll(async () => { await ctx.close(); });

const cases = DOMAIN_POLICIES.flatMap((policy) => [true, false].flatMap((verified) => ['this', 'other'].map((holder) => ({ policy, verified, holder }))));

describe('SCIM creation: SQL guard and enrollment rule agree (D6, D7)', () => {
  it('R-D6: the SQL accepts exactly the policies the rule lets people join under', () => {
    expect([...JOINABLE_DOMAIN_POLICIES].sort()).toEqual(['auto_enrollment', 'restricted']);
  });

  it.each(cases)('R-D6/D7: policy $policy, verified $verified, held by $holder organization', async ({ policy, verified, holder }) => {
    const name = `${policy.replace('_', '-')}-${verified ? 'v' : 'u'}-${holder}.agree.test`;
    const domain = await ctx.store.transaction(async (repos) => {
      const d = await repos.domains.insert({ orgSid: holder === 'this' ? orgSid : otherSid, name, txtToken: 'x'.repeat(32) });
      const v = verified ? await repos.domains.markVerified(d.id, new Date()) : d;
      return repos.domains.update(v.id, { policy: policy as DomainPolicy });
    });
    const email = `pat@${name}`;
    const rule = decideEnrollment({
      path: 'scim', email, member: null, verifiedDomain: verified ? domainSnapshot(domain) : null, targetOrgSid: orgSid, role: 'standard',
    });
    const member: NewScimMember = {
      orgSid, userSid: newSid('US'), email, displayName: null, givenName: null, familyName: null, userName: email,
      externalId: null, attributes: {}, actor: 'scim:test', requestId: null, joinedAudit: {}, provisionedAudit: {},
    };
    const written = await ctx.store.read.scimUsers.createMember(member);
    expect(written !== undefined).toBe(rule.kind === 'join');
  });
});
