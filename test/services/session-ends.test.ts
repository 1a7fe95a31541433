/**
 * `session.revoked` (issue 13): whenever a person's sessions end, an event names the organization,
 * the actor, whose sessions, how many (Orgward sessions and product apps that lost their grant)
 * and why, never a token; written in the transaction that ends them. Paths: sign-out, U3 password
 * reset and change, C3 suspension (API and SCIM), C4 removal, S7 enforcement. (M3, a merge into an
 * organization that enforces SSO: test/services/merges.test.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashToken } from '../../src/security/tokens.js';
import type { EventRecord } from '../../src/store/events.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { addMember, addVerifiedDomain, asUser, createOrgWithOwner, lastLinkTo, OPERATOR, type OrgWithOwner } from '../support/fixtures.js';
import { markTested, samlConnection } from '../http/sso/support.js';
import { patchBody, scimClient } from '../support/scim-fixtures.js';
import { insertSession, isLive } from './sessions-fixture.js';

let ctx: TestContext;
let corp: OrgWithOwner;
let n = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  corp = await createOrgWithOwner(ctx, { ownerEmail: 'owner@revoked.test', name: 'Corp' });
  await addVerifiedDomain(ctx, corp.org.sid, 'revoked.test');
});
afterAll(() => ctx.close());

/** Every event after `after` (all organizations), as the feeds show them. */
async function eventsAfter(after: string): Promise<EventRecord[]> {
  await ctx.services.events.sequence();
  return ctx.store.read.events.list({ after, limit: 1000 });
}
const lastPosition = async () => (await eventsAfter('0')).at(-1)?.position ?? '0';
const revoked = (events: EventRecord[]) => events.filter((e) => e.type === 'session.revoked');

/** A product app's grant for `userSid` (as oidc-provider stores it): the app holds tokens for the person. */
async function appGrant(userSid: string, clientId = `AP${'a'.repeat(32)}`): Promise<void> {
  await ctx.store.transaction((repos) => repos.oidcPayloads.upsert('Grant', `grant-${(n += 1)}`, { accountId: userSid, clientId }, null));
}

async function member(email = `user${(n += 1)}@revoked.test`) {
  return addMember(ctx, corp.org.sid, email);
}

describe('session.revoked on every path that ends sessions (issue 13)', () => {
  it('sign-out: the person is the actor, one session, reason signed_out; signing out again writes nothing', async () => {
    const m = await member();
    const { token } = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid: m.sid, method: 'password', passwordChangedAt: null }));
    const start = await lastPosition();
    await ctx.services.sessions.signOut(token);
    await ctx.services.sessions.signOut(token);
    const events = await eventsAfter(start);
    expect(events.map((e) => e.type)).toEqual(['session.revoked']);
    expect(events[0]).toMatchObject({
      organization: corp.org.sid, actor: m.sid,
      data: { action: 'session.revoked', target: m.sid, before: null, after: { user: m.sid, sessions: 1, apps: 0, reason: 'signed_out' } },
    });
    // L1: never the session's secret, nor its digest.
    expect(JSON.stringify(events)).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain(hashToken(token));
  });

  it('R-U3: an administrator\'s password reset ends the sessions and the apps\' grants: one event beside user.password_reset', async () => {
    const m = await member();
    const session = await insertSession(ctx, m.sid);
    await insertSession(ctx, m.sid);
    await appGrant(m.sid);
    const start = await lastPosition();
    await ctx.services.passwords.adminReset(corp.ownerActor, corp.org.sid, m.sid);
    expect(await isLive(ctx, session)).toBe(false);
    const events = await eventsAfter(start);
    expect(events.map((e) => e.type).sort()).toEqual(['session.revoked', 'user.password_reset']);
    expect(revoked(events)[0]).toMatchObject({ organization: corp.org.sid, actor: corp.owner.sid, data: { after: { user: m.sid, sessions: 2, apps: 1, reason: 'password_reset' } } });
    expect(JSON.stringify(events)).not.toContain(session);
  });

  it('R-U3: completing a reset from the mailed link is the person\'s own act (password_changed)', async () => {
    const m = await member();
    await ctx.services.passwords.adminReset(corp.ownerActor, corp.org.sid, m.sid);
    const token = await lastLinkTo(ctx, m.email, '/password-reset/');
    const session = await insertSession(ctx, m.sid);
    const start = await lastPosition();
    await ctx.services.passwords.completeReset(token, 'a brand new password, long enough');
    expect(await isLive(ctx, session)).toBe(false);
    const events = revoked(await eventsAfter(start));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: m.sid, data: { after: { user: m.sid, sessions: 1, apps: 0, reason: 'password_changed' } } });
  });

  it('R-C3: suspension by an administrator and through SCIM ends sessions, each with its actor; nothing ended, no event', async () => {
    const byAdmin = await member();
    await insertSession(ctx, byAdmin.sid);
    const byScim = await member();
    await appGrant(byScim.sid);
    const idle = await member();
    const scim = await ctx.services.scimTokens.create(corp.ownerActor, corp.org.sid);
    const start = await lastPosition();
    await ctx.services.members.suspend(corp.ownerActor, corp.org.sid, byAdmin.sid);
    await scimClient(ctx.app, scim.token).patch(`/Users/${byScim.sid}`, patchBody({ op: 'replace', path: 'active', value: false })).expect(200);
    await ctx.services.members.suspend(corp.ownerActor, corp.org.sid, idle.sid);
    const events = await eventsAfter(start);
    expect(events.filter((e) => e.type === 'user.suspended').map((e) => e.data.target)).toEqual([byAdmin.sid, byScim.sid, idle.sid]);
    expect(revoked(events).map((e) => [e.actor, e.data.after])).toEqual([
      [corp.owner.sid, { user: byAdmin.sid, sessions: 1, apps: 0, reason: 'suspended' }],
      [`scim:${scim.id}`, { user: byScim.sid, sessions: 0, apps: 1, reason: 'suspended' }],
    ]);
  });

  it('R-C4: removal ends sessions (member_removed)', async () => {
    const m = await member();
    await insertSession(ctx, m.sid);
    const start = await lastPosition();
    await ctx.services.members.remove(corp.ownerActor, corp.org.sid, m.sid);
    expect(revoked(await eventsAfter(start)).map((e) => e.data.after)).toEqual([{ user: m.sid, sessions: 1, apps: 0, reason: 'member_removed' }]);
  });

  it('R-S7: switching enforcement on ends password sessions, one event per person, each in the person\'s own organization', async () => {
    const o = await createOrgWithOwner(ctx, { ownerEmail: 'owner@enforced.test' });
    await addVerifiedDomain(ctx, o.org.sid, 'enforced.test');
    const conn = await samlConnection(ctx, o.org.sid);
    await markTested(ctx, conn.connectionId);
    const ann = await addMember(ctx, o.org.sid, 'ann@enforced.test');
    const bob = await addMember(ctx, o.org.sid, 'bob@enforced.test');
    // U5 covers anyone with an address on the domain, also someone of another organization (U1).
    const other = await createOrgWithOwner(ctx, { ownerEmail: 'zed@enforced.test' });
    for (const sid of [ann.sid, ann.sid, bob.sid, other.owner.sid]) await insertSession(ctx, sid);
    const start = await lastPosition();
    const result = await ctx.services.sso.setEnforcement(o.ownerActor, o.org.sid, 'enforced.test', true);
    expect(result.sessionsRevoked).toBe(4);
    const events = revoked(await eventsAfter(start));
    const byUser = new Map(events.map((e) => [e.data.target, [e.organization, e.actor, e.data.after]]));
    expect(events).toHaveLength(3);
    expect(byUser.get(ann.sid)).toEqual([o.org.sid, o.owner.sid, { user: ann.sid, sessions: 2, apps: 0, reason: 'sso_enforced' }]);
    expect(byUser.get(bob.sid)).toEqual([o.org.sid, o.owner.sid, { user: bob.sid, sessions: 1, apps: 0, reason: 'sso_enforced' }]);
    expect(byUser.get(other.owner.sid)).toEqual([other.org.sid, 'system', { user: other.owner.sid, sessions: 1, apps: 0, reason: 'sso_enforced' }]);
    await ctx.services.sso.setEnforcement(OPERATOR, o.org.sid, 'enforced.test', false);
  });

  it('R-L1: a refused change ends nothing and writes no event (one transaction)', async () => {
    const session = await insertSession(ctx, corp.owner.sid);
    const start = await lastPosition();
    // O2: the Owner cannot be suspended; the refusal comes before anything is written.
    await expect(ctx.services.members.suspend(asUser(corp.owner), corp.org.sid, corp.owner.sid)).rejects.toMatchObject({ code: 'owner_required' });
    expect(await isLive(ctx, session)).toBe(true);
    expect(await eventsAfter(start)).toEqual([]);
  });
});

describe('one way to end sessions', () => {
  it('only services/session-ends.ts calls the session store\'s revocations (so none ends without its event)', () => {
    const dir = fileURLToPath(new URL('../../src/', import.meta.url));
    const offenders: string[] = [];
    const walk = (path: string) => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        const full = join(path, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (full.endsWith('.ts') && !full.startsWith(join(dir, 'store')) && !full.endsWith(join('services', 'session-ends.ts'))
          && /sessions\.(revoke|revokeAllOfUser|revokeForDomain)\(/.test(readFileSync(full, 'utf8'))) offenders.push(full.slice(dir.length));
      }
    };
    walk(dir);
    expect(offenders).toEqual([]);
  });
});
