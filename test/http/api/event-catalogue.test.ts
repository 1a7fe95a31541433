/**
 * Issue 13's list of lifecycle events, walked. The issue: "Every change writes an event in the same
 * transaction as the change (transactional outbox): organization.*, user.* (created, updated,
 * suspended, reactivated, removed), membership.role_changed, role_assignment.*, account.* (created,
 * imported, transferred, suspended, closed, hipaa_changed), domain.* (registered, verified,
 * policy_changed, sso_enforced, removed), sso_connection.* (created, tested, updated, deleted,
 * certificate_expiring), scim_token.*, invitation.*, merge.*, session.revoked. Each event: id, type,
 * time, organization, actor, data (never secrets)."
 *
 * Each type below is made by the real operation (service or protocol endpoint) that makes the
 * change, on fixtures that write no events themselves, and must appear in the changed
 * organization's events with the acting party. The list of steps must be the issue's list: a type
 * the issue names cannot go untested. A person created once is one user.created, whatever the path.
 */
import request from 'supertest';
import { BUILT_IN_ROLE_SIDS } from '../../../src/rules/role-catalogue.js';
import { createSpKeyPair } from '../../../src/services/sso-certificate.js';
import type { EventRecord } from '../../../src/store/events.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import {
  addAccount, addLoneUser, addMember, addUnverifiedDomain, addVerifiedDomain, createOrgWithOwner, lastLinkTo, OPERATOR,
  setOrgSettings, type OrgWithOwner,
} from '../../support/fixtures.js';
import { patchBody, scimClient, userBody } from '../../support/scim-fixtures.js';
import { insertSession } from '../../services/sessions-fixture.js';
import { mintFor, postResponse, samlConnection, samlRequestOf } from '../sso/support.js';

/** The issue's list, family by family; a `*` family lists the members this test proves. */
const ISSUE_13: Readonly<Record<string, readonly string[]>> = {
  organization: ['created', 'updated', 'owner_changed'],
  user: ['created', 'updated', 'suspended', 'reactivated', 'removed'],
  membership: ['role_changed'],
  role_assignment: ['created', 'deleted'],
  account: ['created', 'imported', 'transferred', 'suspended', 'closed', 'hipaa_changed'],
  domain: ['registered', 'verified', 'policy_changed', 'sso_enforced', 'removed'],
  sso_connection: ['created', 'tested', 'updated', 'deleted', 'certificate_expiring'],
  scim_token: ['created', 'revoked'],
  invitation: ['created', 'accepted', 'revoked'],
  merge: ['invited', 'declined', 'revoked', 'completed'],
  session: ['revoked'],
};
const ISSUE_TYPES = Object.entries(ISSUE_13).flatMap(([family, verbs]) => verbs.map((v) => `${family}.${v}`));

const txt = new Map<string, string>();
let ctx: TestContext;
let n = 0;

beforeAll(async () => {
  ctx = await createTestContext({ dns: { resolveTxt: async (name) => (txt.has(name) ? [[txt.get(name)!]] : []) } });
});
afterAll(() => ctx.close());

/** Events after `after`, sequenced as the feeds read them. */
async function eventsAfter(after: string): Promise<EventRecord[]> {
  await ctx.services.events.sequence();
  return ctx.store.read.events.list({ after, limit: 1000 });
}
const position = async () => (await eventsAfter('0')).at(-1)?.position ?? '0';

/** A fresh organization with a verified domain of its own (D7: invitations, SCIM, imports need one). */
async function org(): Promise<OrgWithOwner & { domain: string }> {
  n += 1;
  const domain = `cat${n}.test`;
  const o = await createOrgWithOwner(ctx, { ownerEmail: `owner@${domain}` });
  await addVerifiedDomain(ctx, o.org.sid, domain);
  return { ...o, domain };
}

/** What a step changed: the organization whose event it is and who acted. */
interface Made { readonly orgSid: string; readonly actor: string }
interface Step { readonly type: string; readonly rule: string; prepare?(): Promise<() => Promise<Made>>; run?(): Promise<Made> }

/** A SCIM client with a token of `o` (its scim_token.created is made before the step starts). */
async function scimOf(o: OrgWithOwner) {
  const token = await ctx.services.scimTokens.create(o.ownerActor, o.org.sid);
  return { client: scimClient(ctx.app, token.token), actor: `scim:${token.id}` };
}

/** A Prime with a verified domain and a Candidate owned by someone on it (M1, M2). */
async function mergeSetting() {
  const prime = await org();
  const candidate = await createOrgWithOwner(ctx, { ownerEmail: `cora${n}@${prime.domain}` });
  return { prime, candidate };
}

async function invitedMerge() {
  const s = await mergeSetting();
  const invitation = await ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, s.candidate.owner.email);
  return { ...s, mergeId: invitation.mergeId, token: await lastLinkTo(ctx, s.candidate.owner.email, '/merges/') };
}

/** An IdP certificate valid until `notAfter`. */
function certificateUntil(notAfter: Date): string {
  const notBefore = new Date(notAfter);
  notBefore.setUTCFullYear(notAfter.getUTCFullYear() - 10);
  return createSpKeyPair('Catalogue IdP', notBefore).certificate;
}

const STEPS: readonly Step[] = [
  { type: 'organization.created', rule: 'O1', run: async () => ({ orgSid: (await ctx.services.organizations.create(OPERATOR, { name: `Made ${n += 1}`, ownerEmail: `made${n}@made.test` })).orgSid, actor: 'operator' }) },
  { type: 'organization.updated', rule: 'O3', prepare: async () => { const o = await org(); return async () => { await ctx.services.organizations.rename(o.ownerActor, o.org.sid, 'Renamed'); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  {
    type: 'organization.owner_changed', rule: 'O2', prepare: async () => {
      const o = await org();
      const admin = await addMember(ctx, o.org.sid, `admin@${o.domain}`, 'admin');
      return async () => { await ctx.services.members.handOverOwnership(o.ownerActor, o.org.sid, admin.sid); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  {
    type: 'user.created', rule: 'C2', prepare: async () => {
      const o = await org();
      const scim = await scimOf(o);
      return async () => { await scim.client.post('/Users', userBody(`new@${o.domain}`)).expect(201); return { orgSid: o.org.sid, actor: scim.actor }; };
    },
  },
  {
    type: 'user.updated', rule: 'C2', prepare: async () => {
      const o = await org();
      const scim = await scimOf(o);
      const created = await scim.client.post('/Users', userBody(`upd@${o.domain}`)).expect(201);
      return async () => {
        await scim.client.patch(`/Users/${created.body.id}`, patchBody({ op: 'replace', path: 'displayName', value: 'New Name' })).expect(200);
        return { orgSid: o.org.sid, actor: scim.actor };
      };
    },
  },
  { type: 'user.suspended', rule: 'C3', prepare: async () => { const o = await org(); const m = await addMember(ctx, o.org.sid, `s@${o.domain}`); return async () => { await ctx.services.members.suspend(o.ownerActor, o.org.sid, m.sid); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  {
    type: 'user.reactivated', rule: 'C3', prepare: async () => {
      const o = await org();
      const m = await addMember(ctx, o.org.sid, `r@${o.domain}`);
      await ctx.services.members.suspend(o.ownerActor, o.org.sid, m.sid);
      return async () => { await ctx.services.members.restore(o.ownerActor, o.org.sid, m.sid); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  { type: 'user.removed', rule: 'C4', prepare: async () => { const o = await org(); const m = await addMember(ctx, o.org.sid, `x@${o.domain}`); return async () => { await ctx.services.members.remove(o.ownerActor, o.org.sid, m.sid); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  { type: 'membership.role_changed', rule: 'O3', prepare: async () => { const o = await org(); const m = await addMember(ctx, o.org.sid, `p@${o.domain}`); return async () => { await ctx.services.members.changeRole(o.ownerActor, o.org.sid, m.sid, 'admin'); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  {
    type: 'role_assignment.created', rule: 'R1', prepare: async () => {
      const o = await org();
      const m = await addMember(ctx, o.org.sid, `dev@${o.domain}`);
      const account = await addAccount(ctx, { orgSid: o.org.sid, ownerSid: o.owner.sid });
      return async () => {
        await ctx.services.roleAssignments.create(o.ownerActor, o.org.sid, { roleSid: BUILT_IN_ROLE_SIDS.account.Support, scope: account.sid, identity: m.sid });
        return { orgSid: o.org.sid, actor: o.owner.sid };
      };
    },
  },
  {
    type: 'role_assignment.deleted', rule: 'R1', prepare: async () => {
      const o = await org();
      const m = await addMember(ctx, o.org.sid, `dev@${o.domain}`);
      const account = await addAccount(ctx, { orgSid: o.org.sid, ownerSid: o.owner.sid });
      const assigned = await ctx.services.roleAssignments.create(o.ownerActor, o.org.sid, { roleSid: BUILT_IN_ROLE_SIDS.account.Support, scope: account.sid, identity: m.sid });
      return async () => { await ctx.services.roleAssignments.delete(o.ownerActor, o.org.sid, assigned.sid); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  { type: 'account.created', rule: 'A2, A5', prepare: async () => { const o = await org(); return async () => { await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'New', usage: 'twilio' }); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  {
    type: 'account.imported', rule: 'A3', prepare: async () => {
      const o = await org();
      const owner = await addLoneUser(ctx, `legacy@${o.domain}`);
      const account = await addAccount(ctx, { ownerSid: owner.sid, name: 'Legacy' });
      await ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, account.sid);
      const token = await lastLinkTo(ctx, owner.email, '/account-imports/');
      return async () => { await ctx.services.accounts.confirmImport(token); return { orgSid: o.org.sid, actor: owner.sid }; };
    },
  },
  {
    type: 'account.transferred', rule: 'A6', prepare: async () => {
      const o = await org();
      const m = await addMember(ctx, o.org.sid, `heir@${o.domain}`);
      const account = await addAccount(ctx, { orgSid: o.org.sid, ownerSid: o.owner.sid });
      return async () => { await ctx.services.accounts.transferOwnership(o.ownerActor, account.sid, m.sid); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  { type: 'account.suspended', rule: 'A1', prepare: async () => { const o = await org(); const a = await addAccount(ctx, { orgSid: o.org.sid, ownerSid: o.owner.sid }); return async () => { await ctx.services.accounts.suspend(o.ownerActor, a.sid); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  { type: 'account.closed', rule: 'A1', prepare: async () => { const o = await org(); const a = await addAccount(ctx, { orgSid: o.org.sid, ownerSid: o.owner.sid }); return async () => { await ctx.services.accounts.close(o.ownerActor, a.sid); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  {
    type: 'account.hipaa_changed', rule: 'H1, H2', prepare: async () => {
      const o = await org();
      const a = await addAccount(ctx, { orgSid: o.org.sid, ownerSid: o.owner.sid });
      await setOrgSettings(ctx, o.org.sid, { baaExecutedAt: new Date() });
      return async () => { await ctx.services.hipaa.setFlag(o.ownerActor, a.sid, true); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  { type: 'domain.registered', rule: 'D3', prepare: async () => { const o = await org(); return async () => { await ctx.services.domains.add(o.ownerActor, o.org.sid, `new.${o.domain}`); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  {
    type: 'domain.verified', rule: 'D3, D4', prepare: async () => {
      const o = await org();
      const added = await ctx.services.domains.add(o.ownerActor, o.org.sid, `verify.${o.domain}`);
      txt.set(added.txtName, added.txtValue);
      return async () => { await ctx.services.domains.verify(o.ownerActor, o.org.sid, added.domain); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  { type: 'domain.policy_changed', rule: 'D6', prepare: async () => { const o = await org(); return async () => { await ctx.services.domains.setPolicy(o.ownerActor, o.org.sid, o.domain, 'auto_enrollment'); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  {
    type: 'domain.sso_enforced', rule: 'S1, S7', prepare: async () => {
      const o = await org();
      await samlConnection(ctx, o.org.sid);
      return async () => { await ctx.services.sso.setEnforcement(o.ownerActor, o.org.sid, o.domain, true); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  { type: 'domain.removed', rule: 'D3', prepare: async () => { const o = await org(); await addUnverifiedDomain(ctx, o.org.sid, `gone.${o.domain}`); return async () => { await ctx.services.domains.remove(o.ownerActor, o.org.sid, `gone.${o.domain}`); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  {
    type: 'sso_connection.created', rule: 'S1', prepare: async () => {
      const o = await org();
      return async () => {
        await ctx.services.sso.addSaml(o.ownerActor, o.org.sid, { idpEntityId: 'https://idp.cat.test', ssoUrl: 'https://idp.cat.test/sso', certificates: [certificateUntil(new Date(Date.now() + 3650 * 86_400_000))] });
        return { orgSid: o.org.sid, actor: o.owner.sid };
      };
    },
  },
  {
    type: 'sso_connection.tested', rule: 'S1', prepare: async () => {
      const o = await org();
      const conn = await samlConnection(ctx, o.org.sid, { tested: false });
      const { url } = await ctx.services.sso.startTest(o.ownerActor, o.org.sid, conn.connectionId);
      return async () => {
        const agent = request.agent(ctx.app);
        const go = await agent.get(url.slice(ctx.baseUrl.length)).expect(303);
        const { requestId, relayState } = samlRequestOf(go.headers.location!);
        await postResponse(agent, conn.connectionId, await mintFor(conn, { email: o.owner.email, inResponseTo: requestId }), relayState).expect(200);
        // The test link may be opened by anyone holding it (the IdP's administrator): the system records the result.
        return { orgSid: o.org.sid, actor: 'system' };
      };
    },
  },
  {
    type: 'sso_connection.updated', rule: 'S1', prepare: async () => {
      const o = await org();
      const conn = await samlConnection(ctx, o.org.sid);
      return async () => { await ctx.services.sso.changeSaml(o.ownerActor, o.org.sid, conn.connectionId, { ssoUrl: 'https://idp.cat.test/sso2' }); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  {
    type: 'sso_connection.deleted', rule: 'S1', prepare: async () => {
      const o = await org();
      const conn = await samlConnection(ctx, o.org.sid);
      return async () => { await ctx.services.sso.remove(o.ownerActor, o.org.sid, conn.connectionId); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  {
    type: 'sso_connection.certificate_expiring', rule: 'S1, S3', prepare: async () => {
      const o = await org();
      await ctx.services.sso.addSaml(o.ownerActor, o.org.sid, { idpEntityId: 'https://idp.old.test', ssoUrl: 'https://idp.old.test/sso', certificates: [certificateUntil(new Date(ctx.clock.now().getTime() + 10 * 86_400_000))] });
      // The housekeeping check (jobs/housekeeping-checks.ts; its schedule: test/jobs/certificate-expiry.test.ts).
      return async () => { await ctx.services.ssoCertificateExpiry.warnExpiring(); return { orgSid: o.org.sid, actor: 'system' }; };
    },
  },
  { type: 'scim_token.created', rule: 'C1', prepare: async () => { const o = await org(); return async () => { await ctx.services.scimTokens.create(o.ownerActor, o.org.sid); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  {
    type: 'scim_token.revoked', rule: 'C1', prepare: async () => {
      const o = await org();
      const token = await ctx.services.scimTokens.create(o.ownerActor, o.org.sid);
      return async () => { await ctx.services.scimTokens.revoke(o.ownerActor, o.org.sid, token.id); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  { type: 'invitation.created', rule: 'D7', prepare: async () => { const o = await org(); return async () => { await ctx.services.invitations.invite(o.ownerActor, o.org.sid, { email: `inv@${o.domain}` }); return { orgSid: o.org.sid, actor: o.owner.sid }; }; } },
  {
    type: 'invitation.accepted', rule: 'D7, U1', prepare: async () => {
      const o = await org();
      await ctx.services.invitations.invite(o.ownerActor, o.org.sid, { email: `acc@${o.domain}` });
      const token = await lastLinkTo(ctx, `acc@${o.domain}`, '/invitations/');
      return async () => { await ctx.services.invitations.accept(token, { password: 'a long enough password here' }); return { orgSid: o.org.sid, actor: 'system' }; };
    },
  },
  {
    type: 'invitation.revoked', rule: 'O3', prepare: async () => {
      const o = await org();
      const sent = await ctx.services.invitations.invite(o.ownerActor, o.org.sid, { email: `rev@${o.domain}` });
      return async () => { await ctx.services.invitations.revoke(o.ownerActor, o.org.sid, sent.invitationId); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
  {
    type: 'merge.invited', rule: 'M1, M2', prepare: async () => {
      const s = await mergeSetting();
      return async () => { await ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, s.candidate.owner.email); return { orgSid: s.prime.org.sid, actor: s.prime.owner.sid }; };
    },
  },
  { type: 'merge.declined', rule: 'M1', prepare: async () => { const s = await invitedMerge(); return async () => { await ctx.services.mergeLinks.decline(s.candidate.ownerActor, s.token); return { orgSid: s.prime.org.sid, actor: s.candidate.owner.sid }; }; } },
  { type: 'merge.revoked', rule: 'M1', prepare: async () => { const s = await invitedMerge(); return async () => { await ctx.services.merges.revoke(s.prime.ownerActor, s.prime.org.sid, s.mergeId); return { orgSid: s.prime.org.sid, actor: s.prime.owner.sid }; }; } },
  { type: 'merge.completed', rule: 'M3', prepare: async () => { const s = await invitedMerge(); return async () => { await ctx.services.merges.accept(s.candidate.ownerActor, s.token); return { orgSid: s.prime.org.sid, actor: s.candidate.owner.sid }; }; } },
  {
    type: 'session.revoked', rule: 'C3', prepare: async () => {
      const o = await org();
      const m = await addMember(ctx, o.org.sid, `sess@${o.domain}`);
      await insertSession(ctx, m.sid);
      return async () => { await ctx.services.members.suspend(o.ownerActor, o.org.sid, m.sid); return { orgSid: o.org.sid, actor: o.owner.sid }; };
    },
  },
];

describe('issue 13: every event type the issue lists is emitted by its operation', () => {
  it('the steps below are exactly the issue\'s list', () => {
    expect(STEPS.map((s) => s.type).sort()).toEqual([...ISSUE_TYPES].sort());
  });

  it.each(STEPS.map((s) => [s.type, s.rule, s] as const))('%s (R-%s)', async (type, _rule, step) => {
    const run = step.prepare ? await step.prepare() : step.run!;
    const start = await position();
    const made = await run();
    const events = await eventsAfter(start);
    const mine = events.filter((e) => e.type === type && e.organization === made.orgSid);
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine[0]).toMatchObject({ id: expect.stringMatching(/^EV[0-9a-f]{32}$/), actor: made.actor, time: expect.any(Date) });
    // L1: no secret in any event of the operation (link tokens, SCIM tokens, session ids, keys).
    expect(JSON.stringify(events)).not.toMatch(/scim_[A-Za-z0-9_-]{20}|ows_[A-Za-z0-9_-]{20}|whsec_|PRIVATE KEY|password_hash/);
  });
});

describe('a person created once is one user.created (issue 13)', () => {
  const created = (events: EventRecord[], orgSid: string) => events.filter((e) => e.type === 'user.created' && e.organization === orgSid);

  it('R-C2: SCIM creation (user.joined beside scim.user_provisioned) and SCIM adopting an existing member', async () => {
    const o = await org();
    const scim = await scimOf(o);
    const member = await addMember(ctx, o.org.sid, `adopted@${o.domain}`);
    const start = await position();
    await scim.client.post('/Users', userBody(`once@${o.domain}`)).expect(201);
    await scim.client.post('/Users', userBody(member.email)).expect(201);
    const events = await eventsAfter(start);
    expect(created(events, o.org.sid).map((e) => (e.data.after as { email: string }).email)).toEqual([`once@${o.domain}`]);
    // Taking over a member gives them a SCIM identity: an update, not a creation.
    expect(events.filter((e) => e.type === 'user.updated' && e.data.target === member.sid)).not.toEqual([]);
  });

  it('R-O1: the Owner of a new organization is its first member: user.created beside organization.created', async () => {
    const start = await position();
    const { orgSid, ownerSid } = await ctx.services.organizations.create(OPERATOR, { name: 'Firsts', ownerEmail: 'first@firsts.test' });
    const events = await eventsAfter(start);
    expect(events.map((e) => e.type)).toEqual(['organization.created', 'user.created']);
    expect(created(events, orgSid)[0]).toMatchObject({ actor: 'operator', data: { target: ownerSid, after: { role: 'owner' } } });
  });

  it('R-D7: an invitation accepted by a new person: one user.created beside invitation.accepted', async () => {
    const o = await org();
    await ctx.services.invitations.invite(o.ownerActor, o.org.sid, { email: `one@${o.domain}` });
    const token = await lastLinkTo(ctx, `one@${o.domain}`, '/invitations/');
    const start = await position();
    await ctx.services.invitations.accept(token, { password: 'a long enough password here' });
    const events = await eventsAfter(start);
    expect(events.map((e) => e.type).sort()).toEqual(['invitation.accepted', 'user.created']);
  });
});
