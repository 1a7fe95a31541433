/**
 * Invitations over the Organizations API (issue 10): invite one or several emails (D6, D7, U1;
 * a different role for a pending invitation needs replace), list, revoke, resend, with each role,
 * 404 across organizations (U6) and strict validation.
 */
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, addVerifiedDomain, lastLinkTo } from '../../support/fixtures.js';
import { call, operatorCaller, orgWithCallers, type Caller, type OrgCallers } from './users-support.js';

let ctx: TestContext;
let a: OrgCallers;
let b: OrgCallers;
let operator: Caller;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await orgWithCallers(ctx, 'inv-a.example');
  b = await orgWithCallers(ctx, 'inv-b.example');
  await addVerifiedDomain(ctx, a.org.org.sid, 'inv-a.example');
  await addVerifiedDomain(ctx, b.org.org.sid, 'inv-b.example');
  operator = await operatorCaller(ctx);
});
afterAll(() => ctx.close());

const LIST = '/Organizations/{OrganizationSid}/Invitations';
const ONE = '/Organizations/{OrganizationSid}/Invitations/{InvitationId}';
const RESEND = '/Organizations/{OrganizationSid}/Invitations/{InvitationId}/Resend';
const invitations = (sid: string) => `/Organizations/${sid}/Invitations`;

describe('POST /Organizations/{sid}/Invitations', () => {
  it('D7, U1: invites several emails, each on its own: one refusal does not stop the others', async () => {
    await addMember(ctx, b.org.org.sid, 'taken@inv-a.example');
    const res = await call(ctx, a.adminClient, 'post', LIST, invitations(a.org.org.sid), {
      emails: ['one@inv-a.example', 'outside@unverified.example', 'taken@inv-a.example', 'two@inv-a.example'], role: 'admin',
    });
    expect(res.status).toBe(200);
    const outcome = (res.body.results as { email: string; invitation: { role: string } | null; error: { code: string } | null }[])
      .map((r) => [r.email, r.invitation?.role ?? r.error?.code]);
    expect(outcome).toEqual([
      ['one@inv-a.example', 'admin'],
      ['outside@unverified.example', expect.any(String)],
      ['taken@inv-a.example', 'member_of_other_org'],
      ['two@inv-a.example', 'admin'],
    ]);
    expect(await lastLinkTo(ctx, 'one@inv-a.example', '/invitations/')).toMatch(/^[\w-]{20,}$/);
  });

  it('a different role for a pending invitation needs replace: true', async () => {
    const url = invitations(a.org.org.sid);
    await call(ctx, a.adminClient, 'post', LIST, url, { emails: ['switch@inv-a.example'], role: 'standard' });
    const refused = await call(ctx, a.adminClient, 'post', LIST, url, { emails: ['switch@inv-a.example'], role: 'admin' });
    expect(refused.body.results[0].error.code).toBe('invitation_pending');
    const replaced = await call(ctx, a.adminClient, 'post', LIST, url, { emails: ['switch@inv-a.example'], role: 'admin', replace: true });
    expect(replaced.body.results[0].invitation).toMatchObject({ role: 'admin', replaced: { role_from: 'standard', role_to: 'admin' } });
  });

  it('refuses bad bodies with 400: no emails, too many, unknown fields, the Owner role', async () => {
    const url = invitations(a.org.org.sid);
    for (const body of [{ emails: [] }, { emails: Array.from({ length: 101 }, (_, i) => `p${i}@inv-a.example`) }, { emails: ['x@inv-a.example'], extra: 1 }, { emails: ['x@inv-a.example'], role: 'owner' }, { email: 'x@inv-a.example' }]) {
      expect((await call(ctx, a.adminClient, 'post', LIST, url, body)).status).toBe(400);
    }
  });

  it('R-O3, R-U6: read-only clients and Standard Users cannot invite; another organization gets 404; Owner, Administrator and operator can', async () => {
    const url = invitations(a.org.org.sid);
    for (const caller of [a.readOnlyClient, a.standardSession]) {
      expect((await call(ctx, caller, 'post', LIST, url, { emails: ['no@inv-a.example'] })).status).toBe(403);
    }
    expect((await call(ctx, b.adminClient, 'post', LIST, url, { emails: ['no@inv-a.example'] })).status).toBe(404);
    for (const [i, caller] of [a.ownerSession, a.adminSession, operator].entries()) {
      const res = await call(ctx, caller, 'post', LIST, url, { emails: [`yes${i}@inv-a.example`] });
      expect(res.body.results[0].invitation).not.toBeNull();
    }
  });
});

describe('list, revoke, resend', () => {
  it('lists pending invitations to those who see users (read-only clients too), never to Standard Users or other organizations', async () => {
    await call(ctx, a.adminClient, 'post', LIST, invitations(a.org.org.sid), { emails: ['listed@inv-a.example'] });
    for (const caller of [a.ownerSession, a.adminSession, a.adminClient, a.readOnlyClient, operator]) {
      const res = await call(ctx, caller, 'get', LIST, invitations(a.org.org.sid));
      expect(res.status).toBe(200);
      expect(res.body.invitations.map((i: { email: string }) => i.email)).toContain('listed@inv-a.example');
      expect(JSON.stringify(res.body)).not.toMatch(/token/i);
    }
    expect((await call(ctx, a.standardSession, 'get', LIST, invitations(a.org.org.sid))).status).toBe(403);
    expect((await call(ctx, b.adminClient, 'get', LIST, invitations(a.org.org.sid))).status).toBe(404);
  });

  it('resends with a new link (the old one stops working), then revokes; both are 404 afterwards and across organizations', async () => {
    const sent = await call(ctx, a.adminClient, 'post', LIST, invitations(a.org.org.sid), { emails: ['resend@inv-a.example'] });
    const id = sent.body.results[0].invitation.invitation_id as string;
    const oldLink = await lastLinkTo(ctx, 'resend@inv-a.example', '/invitations/');
    expect((await call(ctx, b.adminClient, 'post', RESEND, `${invitations(a.org.org.sid)}/${id}/Resend`)).status).toBe(404);
    expect((await call(ctx, b.ownerSession, 'post', RESEND, `${invitations(b.org.org.sid)}/${id}/Resend`)).status).toBe(404);
    expect((await call(ctx, a.readOnlyClient, 'post', RESEND, `${invitations(a.org.org.sid)}/${id}/Resend`)).status).toBe(403);
    const resent = await call(ctx, a.adminClient, 'post', RESEND, `${invitations(a.org.org.sid)}/${id}/Resend`);
    expect(resent.status).toBe(200);
    const newId = resent.body.invitation_id as string;
    expect(newId).not.toBe(id);
    const newLink = await lastLinkTo(ctx, 'resend@inv-a.example', '/invitations/');
    expect(newLink).not.toBe(oldLink);
    await expect(ctx.services.invitations.accept(oldLink, { password: 'a long enough password' })).rejects.toMatchObject({ code: 'token_invalid' });
    // The replaced invitation cannot be resent again.
    expect((await call(ctx, a.adminClient, 'post', RESEND, `${invitations(a.org.org.sid)}/${id}/Resend`)).status).toBe(404);

    expect((await call(ctx, b.adminClient, 'delete', ONE, `${invitations(a.org.org.sid)}/${newId}`)).status).toBe(404);
    expect((await call(ctx, a.standardSession, 'delete', ONE, `${invitations(a.org.org.sid)}/${newId}`)).status).toBe(403);
    expect((await call(ctx, a.adminClient, 'delete', ONE, `${invitations(a.org.org.sid)}/${newId}`)).status).toBe(204);
    expect((await call(ctx, a.adminClient, 'delete', ONE, `${invitations(a.org.org.sid)}/${newId}`)).status).toBe(404);
    await expect(ctx.services.invitations.accept(newLink, { password: 'a long enough password' })).rejects.toMatchObject({ code: 'token_invalid' });
    expect((await call(ctx, a.adminClient, 'delete', ONE, `${invitations(a.org.org.sid)}/not-a-uuid`)).status).toBe(400);
  });
});
