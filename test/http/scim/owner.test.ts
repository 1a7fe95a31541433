/**
 * C4: a SCIM token cannot rewrite the Owner. The attack: an IdP (or whoever holds its token)
 * points the Owner's userName or email at a mailbox it reads, then resets the password there.
 * Every shape an IdP sends is tried (PUT, PATCH with a path and path-less, Okta and Entra, Bulk,
 * adoption by POST); the Owner's other attributes may still change.
 */
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, asUser } from '../../support/fixtures.js';
import { createScimOrg, ERROR_URN, patchBody, userBody, type ScimOrg } from '../../support/scim-fixtures.js';

const BULK_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

let ctx: TestContext;
let org: ScimOrg;
beforeAll(async () => { ctx = await createTestContext(); org = await createScimOrg(ctx); });
afterAll(async () => { await ctx.close(); });

const ownerEmail = () => `owner@${org.domain}`;
const attacker = () => `mallory@${org.domain}`;

/** The Owner as the database has them: same email, still the active Owner. */
async function expectOwnerIntact(): Promise<void> {
  expect(await ctx.store.read.users.get(org.owner.sid)).toMatchObject({ email: ownerEmail(), status: 'active', role: 'owner', orgSid: org.org.sid });
  const shown = await org.client.get(`/Users/${org.owner.sid}`).expect(200);
  expect(shown.body.userName.toLowerCase()).toBe(ownerEmail());
  expect(shown.body.emails.map((e: { value: string }) => e.value.toLowerCase())).toEqual([ownerEmail()]);
}

function expectC4Refusal(body: { schemas: string[]; status: string; detail: string }): void {
  expect(body.schemas).toEqual([ERROR_URN]);
  expect(body.status).toBe('403');
  // The detail says what to do instead.
  expect(body.detail).toMatch(/Owner.*cannot be changed through SCIM/);
  expect(body.detail).toMatch(/hand over the Owner role/);
}

describe('R-C4: the Owner\'s userName, emails and active are not changed through SCIM (403)', () => {
  it('R-C4: PUT with an attacker\'s address as userName and email is 403; the Owner keeps their email', async () => {
    const res = await org.client.put(`/Users/${org.owner.sid}`, userBody(attacker(), { emails: [{ value: attacker(), type: 'work', primary: true }] })).expect(403);
    expectC4Refusal(res.body);
    await expectOwnerIntact();
  });

  it('R-C4: PUT keeping userName but changing the identifying email (non-email userName shapes) is 403', async () => {
    await org.client.put(`/Users/${org.owner.sid}`, userBody('the-owner', { emails: [{ value: attacker(), type: 'work', primary: true }] })).expect(403);
    await org.client.put(`/Users/${org.owner.sid}`, userBody(ownerEmail(), { emails: [{ value: attacker(), type: 'work', primary: true }] })).expect(403);
    await org.client.put(`/Users/${org.owner.sid}`, userBody(ownerEmail(), { active: false })).expect(403);
    await expectOwnerIntact();
  });

  it('R-C4: Okta PATCH shapes (path-less replace of userName, of active) are 403', async () => {
    for (const op of [
      { op: 'replace', value: { userName: attacker() } },
      { op: 'replace', value: { emails: [{ value: attacker(), type: 'work', primary: true }] } },
      { op: 'replace', value: { active: false } },
    ]) {
      expectC4Refusal((await org.client.patch(`/Users/${org.owner.sid}`, patchBody(op)).expect(403)).body);
    }
    await expectOwnerIntact();
  });

  it('R-C4: Entra PATCH shapes (value paths, capitalised ops, string booleans, path-less dotted keys) are 403', async () => {
    for (const ops of [
      [{ op: 'Replace', path: 'userName', value: attacker() }],
      [{ op: 'Replace', path: 'emails[type eq "work"].value', value: attacker() }],
      [{ op: 'Add', path: 'emails[type eq "other"].value', value: attacker() }],
      [{ op: 'Add', path: 'emails', value: [{ value: attacker(), type: 'home' }] }],
      [{ op: 'Add', path: 'userName', value: 'owner-by-upn' }],
      [{ op: 'Replace', path: 'active', value: 'False' }],
      [{ op: 'Add', value: { 'emails[type eq "work"].value': attacker(), title: 'x' } }],
      [{ op: 'Replace', path: 'name.familyName', value: 'Fine' }, { op: 'Replace', path: 'userName', value: attacker() }],
    ]) {
      const res = await org.client.patch(`/Users/${org.owner.sid}`, patchBody(...ops));
      expect([ops, res.status]).toEqual([ops, 403]);
      expectC4Refusal(res.body);
    }
    await expectOwnerIntact();
    // Nothing of a refused PATCH was applied, not even its harmless operations.
    expect((await ctx.store.read.users.get(org.owner.sid))!.familyName).not.toBe('Fine');
  });

  it('R-C4: Bulk PUT and PATCH on the Owner are refused per operation (403), other operations run', async () => {
    const res = await org.client.post('/Bulk', {
      schemas: [BULK_URN],
      Operations: [
        { method: 'PUT', path: `/Users/${org.owner.sid}`, data: userBody(attacker()) },
        { method: 'PATCH', path: `/Users/${org.owner.sid}`, data: patchBody({ op: 'replace', path: 'userName', value: attacker() }) },
        { method: 'PATCH', path: `/Users/${org.owner.sid}`, data: patchBody({ op: 'Replace', path: 'emails[type eq "work"].value', value: attacker() }) },
        { method: 'PATCH', path: `/Users/${org.owner.sid}`, data: patchBody({ op: 'replace', path: 'title', value: 'Founder' }) },
      ],
    }).expect(200);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(['403', '403', '403', '200']);
    for (const op of res.body.Operations.slice(0, 3)) expectC4Refusal(op.response);
    await expectOwnerIntact();
    expect((await org.client.get(`/Users/${org.owner.sid}`).expect(200)).body.title).toBe('Founder');
  });

  it('R-C4: adopting the Owner by POST with another userName or extra emails is 403; with the Owner\'s own values it works', async () => {
    const other = await createScimOrg(ctx);
    const email = `owner@${other.domain}`;
    await other.client.post('/Users', userBody('owner-upn', { emails: [{ value: email, type: 'work', primary: true }] })).expect(403);
    await other.client.post('/Users', userBody(email, { emails: [{ value: email, type: 'work', primary: true }, { value: `mallory@${other.domain}`, type: 'home' }] })).expect(403);
    expect((await ctx.store.read.scimUsers.get(other.org.sid, other.owner.sid))!.provisioned).toBe(false);
    const adopted = await other.client.post('/Users', userBody(email, { emails: [{ value: email, type: 'work', primary: true }], title: 'CEO' })).expect(201);
    expect(adopted.body).toMatchObject({ id: other.owner.sid, userName: email, title: 'CEO', active: true });
  });

  it('R-C4: the Owner\'s other attributes still change, and sending the current identity back is not a change', async () => {
    const current = (await org.client.get(`/Users/${org.owner.sid}`).expect(200)).body;
    const put = await org.client.put(`/Users/${org.owner.sid}`, {
      ...current, userName: current.userName.toUpperCase(), displayName: 'Olivia Owner', title: 'CEO', name: { givenName: 'Olivia', familyName: 'Owner' },
      emails: current.emails.map((e: { value: string }) => ({ ...e, value: e.value.toUpperCase() })),
    }).expect(200);
    expect(put.body).toMatchObject({ displayName: 'Olivia Owner', title: 'CEO', active: true });
    await org.client.patch(`/Users/${org.owner.sid}`, patchBody(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: ownerEmail() },
      { op: 'Replace', value: { active: 'True', 'name.givenName': 'Liv' } },
    )).expect(200);
    expect(await ctx.store.read.users.get(org.owner.sid)).toMatchObject({ email: ownerEmail(), givenName: 'Liv', displayName: 'Olivia Owner' });
  });

  it('R-C4, O2: the check follows the Owner role at the time of the write (after a hand-over the former Owner is an ordinary member)', async () => {
    const corp = await createScimOrg(ctx);
    const next = await addMember(ctx, corp.org.sid, `next@${corp.domain}`, 'admin');
    await ctx.services.members.handOverOwnership(asUser(corp.owner), corp.org.sid, next.sid);
    await corp.client.patch(`/Users/${next.sid}`, patchBody({ op: 'replace', path: 'userName', value: `mallory@${corp.domain}` })).expect(403);
    const former = await corp.client.patch(`/Users/${corp.owner.sid}`, patchBody({ op: 'replace', path: 'userName', value: `former@${corp.domain}` })).expect(200);
    expect(former.body.userName).toBe(`former@${corp.domain}`);
    expect((await ctx.store.read.users.get(corp.owner.sid))!.email).toBe(`former@${corp.domain}`);
  });
});
