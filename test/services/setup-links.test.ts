/**
 * Setup links (issue 11) in the services: created by the Owner or an Administrator only, valid 7
 * days by default and at most 30, stored as a digest, revocable, one organization and one kind;
 * the holder's actor takes only its kind's steps (authorizeStep), and the attacks a link's holder
 * could try (enforce SSO, change a policy, a role or a group mapping, disable or delete a
 * connection, touch another connection or token, act in another organization) are refused. Every
 * step is in the audit log under the link's actor (L1).
 */
import { IDP_A_KEY } from '../../idp-fixtures/keys.js';
import { hashToken } from '../../src/security/tokens.js';
import type { OpenedLink } from '../../src/services/setup-links.js';
import type { Actor } from '../../src/types.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { addMember, addUnverifiedDomain, addVerifiedDomain, asUser, createOrgWithOwner, OPERATOR, type OrgWithOwner } from '../support/fixtures.js';

let ctx: TestContext;
let org: OrgWithOwner;
let other: OrgWithOwner;
const published = new Map<string, string[][]>();

beforeAll(async () => {
  ctx = await createTestContext({ dns: { resolveTxt: async (name) => published.get(name) ?? [] } });
  org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@links.test' });
  await addVerifiedDomain(ctx, org.org.sid, 'links.test');
  other = await createOrgWithOwner(ctx, { ownerEmail: 'owner@elsewhere.test' });
});
afterAll(async () => ctx.close());

const tokenOf = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

/** A new live link of `kind`, opened by its holder. */
async function opened(kind: 'sso' | 'scim' | 'domain', creator: Actor = org.ownerActor): Promise<OpenedLink> {
  const created = await ctx.services.setupLinks.create(creator, org.org.sid, { kind });
  const result = await ctx.services.setupLinks.open(tokenOf(created.url));
  if (result.state !== 'live') throw new Error(`link ${result.state}`);
  return result.opened;
}

const saml = { idpEntityId: 'https://idp.links.test/entity', ssoUrl: 'https://idp.links.test/sso', certificates: [IDP_A_KEY.cert] };

describe('creating, listing and revoking (O3)', () => {
  it('a link is valid 7 days by default, 1 to 30 when chosen; its secret is in the URL only, stored as its digest', async () => {
    const now = ctx.clock.now().getTime();
    const created = await ctx.services.setupLinks.create(org.ownerActor, org.org.sid, { kind: 'sso' });
    expect(created.sid).toMatch(/^SL[0-9a-f]{32}$/);
    expect(created.url).toMatch(/^http:\/\/orgward\.test\/setup\/sl_[A-Za-z0-9_-]{43}$/);
    expect(created.expiresAt.getTime() - now).toBe(7 * 24 * 3600 * 1000);
    const row = await ctx.testDb.db('setup_links').where({ sid: created.sid }).first();
    expect(row.token_hash).toBe(hashToken(tokenOf(created.url)));
    expect(JSON.stringify(row)).not.toContain(tokenOf(created.url));
    const thirty = await ctx.services.setupLinks.create(org.ownerActor, org.org.sid, { kind: 'scim', validDays: 30 });
    expect(thirty.expiresAt.getTime() - now).toBe(30 * 24 * 3600 * 1000);
    for (const validDays of [0, 31, 1.5, 'soon']) {
      await expect(ctx.services.setupLinks.create(org.ownerActor, org.org.sid, { kind: 'sso', validDays })).rejects.toMatchObject({ code: 'invalid_input' });
    }
    await expect(ctx.services.setupLinks.create(org.ownerActor, org.org.sid, { kind: 'roles' })).rejects.toMatchObject({ code: 'invalid_input' });
    const [entry] = (await ctx.store.read.audit.list(org.org.sid, { action: 'setup_link.created', target: created.sid }));
    expect(entry).toMatchObject({ actor: org.owner.sid, after: { kind: 'sso' } });
    expect(JSON.stringify(entry)).not.toContain(tokenOf(created.url));
  });

  it('R-O3: an Administrator creates links; a Standard User, a read-only API client and another organization cannot', async () => {
    const admin = await addMember(ctx, org.org.sid, 'admin@links.test', 'admin');
    const standard = await addMember(ctx, org.org.sid, 'standard@links.test', 'standard');
    await expect(ctx.services.setupLinks.create(asUser(admin), org.org.sid, { kind: 'domain' })).resolves.toMatchObject({ kind: 'domain' });
    await expect(ctx.services.setupLinks.create(asUser(standard), org.org.sid, { kind: 'sso' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.setupLinks.list(asUser(standard), org.org.sid)).rejects.toMatchObject({ code: 'forbidden' });
    const readOnly: Actor = { kind: 'api_client', clientId: 'OQ' + '1'.repeat(32), orgSid: org.org.sid, role: 'read-only' };
    await expect(ctx.services.setupLinks.create(readOnly, org.org.sid, { kind: 'sso' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.setupLinks.create(other.ownerActor, org.org.sid, { kind: 'sso' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a revoked link opens as revoked and its holder can take no further step; the revocation is audited', async () => {
    const link = await opened('sso');
    await ctx.services.setupLinks.chooseIdp(link, 'okta');
    await expect(ctx.services.setupLinks.revoke(org.ownerActor, org.org.sid, link.link.sid)).resolves.toEqual({ sid: link.link.sid, revoked: true });
    await expect(ctx.services.setupLinks.revoke(org.ownerActor, org.org.sid, link.link.sid)).resolves.toEqual({ sid: link.link.sid, revoked: false });
    // The holder still has the page open: the service checks the link again.
    const reopened = { ...link, link: (await ctx.store.read.setupLinks.get(link.link.sid))! };
    await expect(ctx.services.setupLinkSteps.saveSaml(reopened, saml)).rejects.toMatchObject({ code: 'setup_link_invalid' });
    await expect(ctx.services.setupLinks.chooseIdp(link, 'entra')).rejects.toMatchObject({ code: 'setup_link_invalid' });
    const listed = (await ctx.services.setupLinks.list(org.ownerActor, org.org.sid)).find((l) => l.sid === link.link.sid);
    expect(listed).toMatchObject({ state: 'revoked', revokedBy: org.owner.sid });
    await expect(ctx.services.setupLinks.revoke(other.ownerActor, other.org.sid, link.link.sid)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('an expired link opens as expired and refuses steps; an unknown or malformed secret is unknown', async () => {
    const created = await ctx.services.setupLinks.create(org.ownerActor, org.org.sid, { kind: 'domain', validDays: 1 });
    const live = await ctx.services.setupLinks.open(tokenOf(created.url));
    expect(live.state).toBe('live');
    const start = ctx.clock.now();
    ctx.clock.set(new Date(start.getTime() + 24 * 3600 * 1000));
    try {
      await expect(ctx.services.setupLinks.open(tokenOf(created.url))).resolves.toEqual({ state: 'expired' });
      if (live.state === 'live') await expect(ctx.services.setupLinkSteps.addDomain(live.opened, 'late.links.test')).rejects.toMatchObject({ code: 'setup_link_invalid' });
    } finally {
      ctx.clock.set(start);
    }
    await expect(ctx.services.setupLinks.open('sl_' + 'A'.repeat(43))).resolves.toEqual({ state: 'unknown' });
    await expect(ctx.services.setupLinks.open('../admin')).resolves.toEqual({ state: 'unknown' });
  });
});

describe('an SSO link', () => {
  it('reserves its connection id with the IdP choice, adds the connection under it, corrects it until tested, and starts a test; each step audited as the link', async () => {
    const link = await opened('sso');
    await expect(ctx.services.setupLinks.chooseIdp(link, 'scim')).rejects.toMatchObject({ code: 'invalid_input' });
    await ctx.services.setupLinks.chooseIdp(link, 'okta');
    const o = { ...link, link: (await ctx.store.read.setupLinks.get(link.link.sid))! };
    const before = await ctx.services.setupLinkSteps.ssoState(o);
    expect(before).toMatchObject({ protocol: 'saml', connection: null, sp: { acsUrl: `http://orgward.test/sso/saml/${o.link.connectionId}/acs` } });
    await ctx.services.setupLinkSteps.saveSaml(o, saml);
    await ctx.services.setupLinkSteps.saveSaml(o, { ...saml, ssoUrl: 'https://idp.links.test/sso2' });
    const after = await ctx.services.setupLinkSteps.ssoState(o);
    expect(after.connection).toMatchObject({ connectionId: o.link.connectionId, ssoUrl: 'https://idp.links.test/sso2', testedAt: null });
    // The connection is SAML now: an OIDC IdP cannot be chosen any more.
    await expect(ctx.services.setupLinks.chooseIdp(o, 'oidc')).rejects.toMatchObject({ code: 'conflict' });
    const test = await ctx.services.setupLinkSteps.startTest(o);
    expect(test.url).toMatch(/\/sso\/test\/sst_/);
    // Tested: the link leaves it alone (a change would clear the test, S1).
    await ctx.store.transaction((repos) => repos.ssoConnections.markTested(o.link.connectionId!, ctx.clock.now()));
    await expect(ctx.services.setupLinkSteps.saveSaml(o, saml)).rejects.toMatchObject({ code: 'conflict' });
    const log = await ctx.store.read.audit.list(org.org.sid, { actor: `setup:${o.link.sid}` });
    expect(log.map((e) => e.action)).toEqual(['setup_link.idp_chosen', 'sso.connection_added', 'sso.connection_changed', 'sso.test_started']);
  });

  it('attacks: nothing a link holds enforces SSO, changes a policy, a role or a group mapping, or disables, deletes or tests another connection', async () => {
    const link = await opened('sso');
    await ctx.services.setupLinks.chooseIdp(link, 'entra');
    const o = { ...link, link: (await ctx.store.read.setupLinks.get(link.link.sid))! };
    await ctx.services.setupLinkSteps.saveSaml(o, saml);
    await ctx.store.transaction((repos) => repos.ssoConnections.markTested(o.link.connectionId!, ctx.clock.now()));
    const a = o.actor;
    const orgSid = org.org.sid;
    const member = await addMember(ctx, orgSid, 'victim@links.test', 'standard');
    const admins = await ctx.services.sso.addSaml(OPERATOR, orgSid, { ...saml, idpEntityId: 'https://idp.links.test/admins' });
    const attempts: Record<string, () => Promise<unknown>> = {
      'enforce SSO (S1)': () => ctx.services.sso.setEnforcement(a, orgSid, 'links.test', true),
      'set a domain policy (D6)': () => ctx.services.domains.setPolicy(a, orgSid, 'links.test', 'auto_enrollment'),
      'remove a domain': () => ctx.services.domains.remove(a, orgSid, 'links.test'),
      'change a role (O3)': () => ctx.services.members.changeRole(a, orgSid, member.sid, 'admin'),
      'suspend a user': () => ctx.services.members.suspend(a, orgSid, member.sid),
      'map a SCIM group to a role (C5)': () => ctx.services.scimGroups.map(a, orgSid, { group: 'Admins', role: 'admin' }),
      'disable its connection': () => ctx.services.sso.setEnabled(a, orgSid, o.link.connectionId!, false),
      'delete its connection': () => ctx.services.sso.remove(a, orgSid, o.link.connectionId!),
      'make another setup link': () => ctx.services.setupLinks.create(a, orgSid, { kind: 'sso' }),
      'invite an Administrator': () => ctx.services.invitations.invite(a, orgSid, { email: 'new@links.test', role: 'admin' }),
      'create an API client': () => ctx.services.apiClients.create(a, orgSid, { role: 'admin' }),
      'create a SCIM token (another kind)': () => ctx.services.scimTokens.create(a, orgSid),
      'register a domain (another kind)': () => ctx.services.domains.add(a, orgSid, 'more.links.test'),
      'read the audit log': () => ctx.services.auditLog.list(a, orgSid),
    };
    for (const [what, attempt] of Object.entries(attempts)) {
      const outcome = await attempt().then(() => 'done', (e: { code: string }) => e.code);
      expect({ what, outcome }).toEqual({ what, outcome: 'forbidden' });
    }
    // O2: only the Owner, in person, hands over the Owner role.
    await expect(ctx.services.members.handOverOwnership(a, orgSid, member.sid)).rejects.toMatchObject({ code: 'owner_required' });
    // Another connection of the organization is not the link's: not found, whatever the step.
    await expect(ctx.services.sso.startTest(a, orgSid, admins.connectionId)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.sso.changeSaml(a, orgSid, admins.connectionId, { ssoUrl: 'https://evil.test/sso' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.sso.lastTest(a, orgSid, admins.connectionId)).rejects.toMatchObject({ code: 'not_found' });
    expect((await ctx.services.sso.list(a, orgSid)).map((c) => c.connectionId)).toEqual([o.link.connectionId]);
    // Nor can it add a second connection under an id of its choosing.
    await expect(ctx.services.sso.addSaml(a, orgSid, { ...saml, connectionId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'not_found' });
    // Another organization: not found (U6).
    await expect(ctx.services.sso.list(a, other.org.sid)).rejects.toMatchObject({ code: 'not_found' });
    const domain = (await ctx.services.domains.get(OPERATOR, orgSid, 'links.test'));
    expect(domain).toMatchObject({ ssoEnforced: false, policy: 'restricted' });
    expect((await ctx.store.read.users.get(member.sid))?.role).toBe('standard');
    expect(await ctx.services.scimGroups.listMappings(OPERATOR, orgSid)).toEqual([]);
  });
});

describe('a SCIM link and a domain link', () => {
  it('a SCIM link creates tokens (shown once) and revokes only its own; it cannot add an SSO connection', async () => {
    const o = await opened('scim');
    const admins = await ctx.services.scimTokens.create(OPERATOR, org.org.sid, { description: 'admins' });
    const mine = await ctx.services.setupLinkSteps.createToken(o);
    expect(mine.token).toMatch(/^scim_/);
    const state = await ctx.services.setupLinkSteps.scimState(o);
    expect(state.tokens.map((t) => t.id)).toEqual([mine.id]);
    expect(state).toMatchObject({ firstUser: null, firstGroup: null });
    await expect(ctx.services.setupLinkSteps.revokeToken(o, admins.id)).rejects.toMatchObject({ code: 'not_found' });
    await ctx.services.setupLinkSteps.revokeToken(o, mine.id);
    await expect(ctx.services.sso.addSaml(o.actor, org.org.sid, saml)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.setupLinks.chooseIdp(o, 'oidc')).rejects.toMatchObject({ code: 'invalid_input' });
    const log = await ctx.store.read.audit.list(org.org.sid, { actor: `setup:${o.link.sid}` });
    expect(log.map((e) => e.action)).toEqual(['scim.token_created', 'scim.token_revoked']);
  });

  it('a domain link registers a domain, takes up one an administrator registered, and verifies by the TXT record (D3)', async () => {
    const o = await opened('domain');
    const added = await ctx.services.setupLinkSteps.addDomain(o, 'New.Links.Test');
    expect(added).toMatchObject({ domain: 'new.links.test', verified: false });
    await expect(ctx.services.setupLinkSteps.verifyDomain(o, 'new.links.test')).rejects.toMatchObject({ code: 'dns_txt_missing' });
    published.set(added.txtName, [[added.txtValue]]);
    await ctx.services.setupLinkSteps.verifyDomain(o, 'new.links.test');
    await addUnverifiedDomain(ctx, org.org.sid, 'waiting.links.test');
    await ctx.services.setupLinkSteps.addDomain(o, 'waiting.links.test');
    expect((await ctx.services.setupLinkSteps.domainState(o)).map((d) => [d.domain, d.verified])).toEqual([['new.links.test', true], ['waiting.links.test', false]]);
    // A domain not registered through the link is not its to verify; a verified one is not taken up.
    await expect(ctx.services.setupLinkSteps.verifyDomain(o, 'links.test')).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.setupLinkSteps.addDomain(o, 'links.test')).rejects.toMatchObject({ code: 'domain_exists' });
    await expect(ctx.services.sso.setEnforcement(o.actor, org.org.sid, 'new.links.test', true)).rejects.toMatchObject({ code: 'forbidden' });
    const log = await ctx.store.read.audit.list(org.org.sid, { actor: `setup:${o.link.sid}` });
    expect(log.map((e) => [e.action, e.target])).toEqual([
      ['domain.added', 'new.links.test'], ['domain.verified', 'new.links.test'], ['setup_link.domain_included', 'waiting.links.test'],
    ]);
  });
});
