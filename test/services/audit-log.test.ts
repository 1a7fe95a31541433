/**
 * Reading the audit log (L1): every change leaves an entry in its organization's log, pages are
 * read by id, only roles with view_audit may read, and secrets never appear.
 */
import { createTestContext, type TestContext } from '../support/app.js';
import { OPERATOR, addMember, addVerifiedDomain, asUser, createOrgWithOwner, type OrgWithOwner } from '../support/fixtures.js';

let ctx: TestContext;
let corp: OrgWithOwner;

beforeAll(async () => {
  ctx = await createTestContext();
  corp = await createOrgWithOwner(ctx, { ownerEmail: 'owner@corp.test', name: 'Corp' });
  await addVerifiedDomain(ctx, corp.org.sid, 'corp.test');
  for (const email of ['a@corp.test', 'b@corp.test', 'c@corp.test']) {
    await ctx.services.invitations.invite(corp.ownerActor, corp.org.sid, { email, role: 'standard' });
  }
});
afterAll(async () => { await ctx.close(); });

describe('audit log (L1)', () => {
  it('R-L1: records who, what, when and after values of each change', async () => {
    const { entries } = await ctx.services.auditLog.list(corp.ownerActor, corp.org.sid);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ orgSid: corp.org.sid, actor: corp.owner.sid, action: 'invitation.created', after: { email: 'a@corp.test', role: 'standard' } });
    expect(entries[0]!.createdAt).toBeInstanceOf(Date);
  });

  it('pages by id, oldest first', async () => {
    const first = await ctx.services.auditLog.list(OPERATOR, corp.org.sid, { limit: 2 });
    expect(first.entries.map((e) => (e.after as { email: string }).email)).toEqual(['a@corp.test', 'b@corp.test']);
    expect(first.nextAfterId).toBe(first.entries[1]!.id);
    const second = await ctx.services.auditLog.list(OPERATOR, corp.org.sid, { limit: 2, afterId: first.nextAfterId! });
    expect(second.entries.map((e) => (e.after as { email: string }).email)).toEqual(['c@corp.test']);
    expect(second.nextAfterId).toBeNull();
  });

  it('refuses a malformed page request', async () => {
    await expect(ctx.services.auditLog.list(OPERATOR, corp.org.sid, { limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.services.auditLog.list(OPERATOR, corp.org.sid, { limit: 501 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.services.auditLog.list(OPERATOR, corp.org.sid, { afterId: "1' or 1=1" })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('R-O3: Standard Users cannot read it; other organizations see not_found', async () => {
    const standard = await addMember(ctx, corp.org.sid, 'standard@corp.test');
    await expect(ctx.services.auditLog.list(asUser(standard), corp.org.sid)).rejects.toMatchObject({ code: 'forbidden' });
    const other = await createOrgWithOwner(ctx, { ownerEmail: 'owner@other.test' });
    await expect(ctx.services.auditLog.list(other.ownerActor, corp.org.sid)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('R-L1: reading is not itself logged', async () => {
    const before = (await ctx.services.auditLog.list(OPERATOR, corp.org.sid, { limit: 500 })).entries.length;
    await ctx.services.auditLog.list(corp.ownerActor, corp.org.sid);
    await ctx.services.members.list(corp.ownerActor, corp.org.sid);
    expect((await ctx.services.auditLog.list(OPERATOR, corp.org.sid, { limit: 500 })).entries).toHaveLength(before);
  });
});
